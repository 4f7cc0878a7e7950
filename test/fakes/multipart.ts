/**
 * A small multipart/form-data parser shared by the fake chat platforms. It accepts what real
 * clients send: grammY writes lower-case, space-less headers with an unquoted filename
 * (`content-disposition:form-data;name="x1";filename=qr.png`), undici's FormData (used by
 * discord.js) writes the canonical quoted form. Both must decode to the same parts.
 */

/** One decoded part: a field (no filename) or an uploaded file. */
export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/** Extracts the boundary from a Content-Type header, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Reads one header parameter (`name="a"`, `name=a`) from a header value. */
function headerParam(value: string, key: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\r\\n]*))`, 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]?.trim();
}

/**
 * Splits a multipart body into parts. Throws on a malformed body (no opening boundary, part
 * without a Content-Disposition name): the fakes answer that with 400 like the real servers.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart: opening boundary not found');
  for (;;) {
    pos += delim.length;
    // "--" right after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const next = body.indexOf(delim, pos);
    if (next < 0) throw new Error('multipart: closing boundary not found');
    // The part ends with CRLF before the next delimiter.
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const chunk = body.subarray(pos, end);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart: part without header block');
    const headers = new Map<string, string>();
    for (const line of chunk.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const name = headerParam(disposition, 'name');
    if (name === undefined) throw new Error('multipart: part without a name');
    const filename = headerParam(disposition, 'filename');
    const contentType = headers.get('content-type');
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      data: Buffer.from(chunk.subarray(headerEnd + 4)),
    });
    pos = next;
  }
  return parts;
}

/** Reads a whole request body. */
export async function readBody(req: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/** Width and height from a PNG's IHDR chunk, or undefined for anything else. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || bytes.readUInt32BE(0) !== 0x89504e47) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
