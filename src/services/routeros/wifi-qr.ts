/** What a phone needs to join a network from a QR code. */
export interface WifiQrInput {
  readonly ssid: string;
  /** Omit for an open network. */
  readonly passphrase?: string;
  readonly hidden?: boolean;
}

/** Backslash-escapes the characters the WIFI: QR convention reserves (`\ ; , : "`). */
export function escapeWifiQrField(value: string): string {
  return value.replace(/([\\;,:"])/g, '\\$1');
}

/** The de-facto (ZXing) WiFi QR payload: `WIFI:T:WPA;S:<ssid>;P:<pass>;;` (+ `H:true;` if hidden). */
export function wifiQrPayload(w: WifiQrInput): string {
  const parts = [w.passphrase === undefined ? 'T:nopass' : 'T:WPA', `S:${escapeWifiQrField(w.ssid)}`];
  if (w.passphrase !== undefined) parts.push(`P:${escapeWifiQrField(w.passphrase)}`);
  if (w.hidden) parts.push('H:true');
  return `WIFI:${parts.join(';')};;`;
}

/** Renders the payload as a PNG QR code (medium error correction, quiet zone kept). */
export async function wifiQrPng(w: WifiQrInput, opts: { widthPx?: number } = {}): Promise<Buffer> {
  // Loaded on first use (with pngjs): only /wifi needs it, so it stays out of start-up.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(wifiQrPayload(w), {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    width: opts.widthPx ?? 512,
  });
}
