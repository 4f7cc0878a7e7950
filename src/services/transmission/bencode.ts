import { createHash } from 'node:crypto';

/** A decoded bencode value: integers, byte strings, lists and dictionaries (keys as UTF-8). */
export type BValue = number | Buffer | BValue[] | Map<string, BValue>;

/** Why bytes are not valid bencode, with the offset where decoding stopped. */
export class BencodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'BencodeError';
  }
}

const MAX_DEPTH = 64;
const COLON = 0x3a;

/** Strict-enough bencode reader over one buffer; records where top-level dict values start and end. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  value(depth: number): BValue {
    if (depth > MAX_DEPTH) throw new BencodeError('nesting too deep', this.pos);
    const c = this.buf[this.pos];
    if (c === undefined) throw new BencodeError('unexpected end', this.pos);
    if (c === 0x69) return this.int(); // i
    if (c === 0x6c) return this.list(depth); // l
    if (c === 0x64) return this.dict(depth, undefined); // d
    if (c >= 0x30 && c <= 0x39) return this.bytes();
    throw new BencodeError(`unexpected byte 0x${c.toString(16)}`, this.pos);
  }

  int(): number {
    const end = this.buf.indexOf(0x65, this.pos); // e
    if (end < 0) throw new BencodeError('unterminated integer', this.pos);
    const text = this.buf.toString('latin1', this.pos + 1, end);
    if (!/^(0|-?[1-9]\d*)$/.test(text)) throw new BencodeError('malformed integer', this.pos);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new BencodeError('integer out of range', this.pos);
    this.pos = end + 1;
    return n;
  }

  bytes(): Buffer {
    const colon = this.buf.indexOf(COLON, this.pos);
    if (colon < 0 || colon - this.pos > 12) throw new BencodeError('malformed string length', this.pos);
    const text = this.buf.toString('latin1', this.pos, colon);
    if (!/^(0|[1-9]\d*)$/.test(text)) throw new BencodeError('malformed string length', this.pos);
    const len = Number(text);
    const start = colon + 1;
    if (start + len > this.buf.length) throw new BencodeError('string runs past the end', this.pos);
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  list(depth: number): BValue[] {
    this.pos++;
    const out: BValue[] = [];
    while (this.buf[this.pos] !== 0x65) {
      if (this.pos >= this.buf.length) throw new BencodeError('unterminated list', this.pos);
      out.push(this.value(depth + 1));
    }
    this.pos++;
    return out;
  }

  /** Reads a dictionary; `spans` (if given) receives each value's byte range. */
  dict(depth: number, spans: Map<string, [number, number]> | undefined): Map<string, BValue> {
    this.pos++;
    const out = new Map<string, BValue>();
    while (this.buf[this.pos] !== 0x65) {
      if (this.pos >= this.buf.length) throw new BencodeError('unterminated dictionary', this.pos);
      const c = this.buf[this.pos];
      if (c === undefined || c < 0x30 || c > 0x39) throw new BencodeError('dictionary key is not a string', this.pos);
      const key = this.bytes().toString('utf8');
      const start = this.pos;
      out.set(key, this.value(depth + 1));
      spans?.set(key, [start, this.pos]);
    }
    this.pos++;
    return out;
  }
}

/** Decodes one complete bencode value; trailing bytes are an error. */
export function bdecode(buf: Buffer): BValue {
  const r = new Reader(buf);
  const v = r.value(0);
  if (r.pos !== buf.length) throw new BencodeError('trailing bytes', r.pos);
  return v;
}

/**
 * Decodes a top-level dictionary and also returns each value's raw bytes, so an info-hash
 * is computed over the bytes exactly as received (re-encoding could reorder keys).
 */
export function bdecodeDictWithRaw(buf: Buffer): { dict: Map<string, BValue>; raw: Map<string, Buffer> } {
  const r = new Reader(buf);
  if (buf[0] !== 0x64) throw new BencodeError('not a dictionary', 0);
  const spans = new Map<string, [number, number]>();
  const dict = r.dict(0, spans);
  if (r.pos !== buf.length) throw new BencodeError('trailing bytes', r.pos);
  const raw = new Map<string, Buffer>();
  for (const [k, [s, e]] of spans) raw.set(k, buf.subarray(s, e));
  return { dict, raw };
}

/** Input accepted by the encoder (strings are UTF-8; plain objects are dictionaries). */
export type BEncodable =
  number | string | Buffer | Uint8Array | readonly BEncodable[] | { readonly [k: string]: BEncodable } | Map<string, BEncodable>;

/** Encodes a value as bencode with sorted dictionary keys (byte order), as BEP 3 requires. */
export function bencode(v: BEncodable): Buffer {
  const parts: Buffer[] = [];
  const walk = (x: BEncodable): void => {
    if (typeof x === 'number') {
      if (!Number.isSafeInteger(x)) throw new RangeError('bencode integers must be safe integers');
      parts.push(Buffer.from(`i${x}e`));
    } else if (typeof x === 'string' || Buffer.isBuffer(x) || x instanceof Uint8Array) {
      const b = typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x);
      parts.push(Buffer.from(`${b.length}:`), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('l'));
      for (const item of x as readonly BEncodable[]) walk(item);
      parts.push(Buffer.from('e'));
    } else {
      const entries = x instanceof Map ? [...x.entries()] : Object.entries(x as Record<string, BEncodable>);
      entries.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      parts.push(Buffer.from('d'));
      for (const [k, val] of entries) {
        walk(k);
        walk(val);
      }
      parts.push(Buffer.from('e'));
    }
  };
  walk(v);
  return Buffer.concat(parts);
}

/** SHA-1 hex of bytes (BitTorrent v1 info-hash). */
export function sha1Hex(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}
