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

/**
 * Renders the payload as a PNG QR code (medium error correction, quiet zone kept) with the
 * network name printed underneath, so a forwarded or screenshotted image still says which network
 * it joins. The name is drawn in a built-in 5×7 font for printable ASCII; any other character is a
 * box (the exact name stays in the message text).
 */
export async function wifiQrPng(w: WifiQrInput, opts: { widthPx?: number } = {}): Promise<Buffer> {
  // Loaded on first use: only /wifi needs the encoder and the drawing code, so they stay out of start-up.
  const [{ default: QRCode }, { drawLabelledQr }, { encodeGrayPng }] = await Promise.all([
    import('qrcode'),
    import('./labelled-qr.ts'),
    import('./gray-png.ts'),
  ]);
  const qr = QRCode.create(wifiQrPayload(w), { errorCorrectionLevel: 'M' });
  return encodeGrayPng(drawLabelledQr(qr.modules, opts.widthPx ?? 512, w.ssid));
}
