/**
 * Telegram's `parse_mode: "HTML"` parser, as the fake Bot API needs it: it turns the HTML a
 * bot sends into the plain text a user sees, and rejects what Telegram rejects (unknown or
 * unbalanced tags, a bare `<`) with Telegram's own "can't parse entities" wording. Behaviour
 * follows tdlib's parse_html: only &lt; &gt; &amp; &quot; and numeric entities are decoded,
 * and an `&` that starts no entity stays a literal `&`.
 */

const SUPPORTED = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

/** Result of parsing: the visible text, or Telegram's error description. */
export type HtmlParse = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Decodes one entity starting at `i` (which holds '&'); returns the text and its source length. */
function entityAt(src: string, i: number): { text: string; len: number } | undefined {
  const m = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/.exec(src.slice(i, i + 12));
  if (!m) return undefined;
  if (m[3] !== undefined) {
    const named = NAMED[m[3].toLowerCase()];
    return named === undefined ? undefined : { text: named, len: m[0].length };
  }
  const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2] ?? '', 16);
  if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return undefined;
  return { text: String.fromCodePoint(code), len: m[0].length };
}

/** Byte offset as Telegram reports it (UTF-8). */
const byteOffset = (src: string, i: number): number => Buffer.byteLength(src.slice(0, i));

const fail = (why: string): HtmlParse => ({ ok: false, error: `Bad Request: can't parse entities: ${why}` });

/** Parses Telegram HTML into visible text. */
export function parseTelegramHtml(src: string): HtmlParse {
  let out = '';
  const stack: { name: string; at: number }[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '&') {
      const e = entityAt(src, i);
      if (e) {
        out += e.text;
        i += e.len;
      } else {
        out += '&';
        i += 1;
      }
      continue;
    }
    if (ch !== '<') {
      out += ch;
      i += 1;
      continue;
    }
    const close = src.indexOf('>', i);
    if (src[i + 1] === '/') {
      if (close < 0) return fail(`Unclosed end tag at byte offset ${byteOffset(src, i)}`);
      const name = src
        .slice(i + 2, close)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (!open) return fail(`Unexpected end tag at byte offset ${byteOffset(src, i)}`);
      if (name !== '' && name !== open.name) {
        return fail(`Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${open.name}>", found "</${name}>"`);
      }
      i = close + 1;
      continue;
    }
    const nameMatch = /^[a-zA-Z][a-zA-Z0-9-]*/.exec(src.slice(i + 1));
    const name = (nameMatch?.[0] ?? '').toLowerCase();
    if (!SUPPORTED.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(src, i)}`);
    if (close < 0) return fail(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const attrs = src.slice(i + 1 + name.length, close);
    if (name === 'span' && !/class\s*=\s*["']?tg-spoiler/.test(attrs)) {
      return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, i)}`);
    }
    if (attrs.includes('<')) return fail(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    stack.push({ name, at: i });
    i = close + 1;
  }
  const open = stack.pop();
  if (open) return fail(`Can't find end tag corresponding to start tag "${open.name}"`);
  return { ok: true, text: out };
}

/** The visible text of a message as Telegram stores it (parse mode applied, trimmed). */
export function visibleText(text: string, parseMode: string | undefined): HtmlParse {
  if (parseMode !== undefined && parseMode.toLowerCase() === 'html') {
    const r = parseTelegramHtml(text);
    return r.ok ? { ok: true, text: r.text.trim() } : r;
  }
  return { ok: true, text: text.trim() };
}
