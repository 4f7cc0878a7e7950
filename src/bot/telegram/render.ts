/** OutMessage → Telegram HTML, escaped and split to Telegram's limits. */
import type { Action, Block, OutMessage } from '../../core/outmessage.ts';

/** Telegram's limit on one message's text, in characters after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit on a photo caption: longer text goes in a message of its own. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

const SEVERITY_ICON: Record<string, string> = { info: 'ℹ️', success: '✅', warning: '⚠️', critical: '🚨' };
/**
 * A warning or critical icon alone on the first line. Written with escapes: esbuild escapes
 * non-ASCII in strings but not in regex literals, and one non-Latin-1 character makes V8 keep
 * the whole bundle's source as a two-byte string (3.2 MB instead of 1.6 MB, for the process's life).
 */
const SEVERITY_ICON_LINE = /^(\u26A0\uFE0F|\uD83D\uDEA8)\n/;

/** Escapes the three characters Telegram's HTML parse mode requires. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A rendered line with its length as Telegram counts it (after entity parsing). */
interface Segment {
  readonly html: string;
  readonly length: number;
}

function seg(plain: string, wrap?: 'b' | 'pre' | 'i'): Segment {
  const html = wrap ? `<${wrap}>${escapeHtml(plain)}</${wrap}>` : escapeHtml(plain);
  return { html, length: [...plain].length };
}

/** Splits plain text into pieces of at most `max` characters, preferring line breaks. */
function chunkPlain(text: string, max: number): string[] {
  const chars = [...text];
  if (chars.length <= max) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = Math.min(start + max, chars.length);
    if (end < chars.length) {
      const window = chars.slice(start, end).join('');
      const nl = window.lastIndexOf('\n');
      if (nl > max / 2) end = start + [...window.slice(0, nl)].length + 1;
    }
    out.push(chars.slice(start, end).join(''));
    start = end;
  }
  return out;
}

function blockSegments(b: Block, max: number): Segment[] {
  switch (b.kind) {
    case 'text':
      return chunkPlain(b.text, max).map((p) => seg(p));
    case 'code':
      return chunkPlain(b.text, max - 20).map((p) => seg(p, 'pre'));
    case 'details': {
      // One folded quote, cut to fit one message: the summary shows, the rest opens on a tap.
      const text = chunkPlain(b.text, Math.max(1, max - [...b.summary].length - 60))[0] ?? '';
      return [
        {
          html: `<blockquote expandable><b>${escapeHtml(b.summary)}</b>\n${escapeHtml(text)}</blockquote>`,
          length: [...b.summary].length + 1 + [...text].length,
        },
      ];
    }
    case 'list':
      return b.items.flatMap((i) => chunkPlain(`• ${i}`, max).map((p) => seg(p)));
    case 'fields':
      return b.fields.map((f) => {
        const value = chunkPlain(f.value, max - [...f.label].length - 4)[0] ?? '';
        const shown = f.copy ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value);
        return { html: `<b>${escapeHtml(f.label)}</b>: ${shown}`, length: [...f.label].length + 2 + [...value].length };
      });
  }
}

/** Renders a message to one or more HTML texts, each within `limit` visible characters. */
export function renderTelegramHtml(m: OutMessage, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const segments: Segment[] = [];
  if (m.title) {
    const icon = m.severity ? `${SEVERITY_ICON[m.severity]} ` : '';
    segments.push({ html: `${icon}<b>${escapeHtml(m.title)}</b>`, length: [...icon].length + [...m.title].length });
  } else if (m.severity === 'critical' || m.severity === 'warning') {
    segments.push({ html: SEVERITY_ICON[m.severity] ?? '', length: 2 });
  }
  for (const b of m.blocks) segments.push(...blockSegments(b, limit));
  if (m.footer) segments.push(seg(m.footer, 'i'));
  const pages: string[] = [];
  let html: string[] = [];
  let length = 0;
  for (const s of segments) {
    const extra = (html.length ? 1 : 0) + s.length;
    if (html.length && length + extra > limit) {
      pages.push(html.join('\n'));
      html = [];
      length = 0;
    }
    length += (html.length ? 1 : 0) + s.length;
    html.push(s.html);
  }
  if (html.length || pages.length === 0) pages.push(html.join('\n') || '…');
  // A severity icon alone would be merged into the first block's line for readability.
  return pages.map((p) => p.replace(SEVERITY_ICON_LINE, '$1 '));
}

/** Telegram inline keyboard from action rows; callback_data is `a:<token>` (≤ 64 bytes). */
export function inlineKeyboard(
  actions: OutMessage['actions'],
): { inline_keyboard: { text: string; callback_data: string }[][] } | undefined {
  if (!actions || actions.length === 0) return undefined;
  return {
    inline_keyboard: actions.map((row: readonly Action[]) => row.map((a) => ({ text: a.label, callback_data: `a:${a.token}` }))),
  };
}
