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

const HTML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const HTML_SPECIAL = /[&<>]/;

/** Escapes the three characters Telegram's HTML parse mode requires. */
export function escapeHtml(s: string): string {
  // Most lines have none of them: no new string, no regex pass per character.
  return HTML_SPECIAL.test(s) ? s.replace(/[&<>]/g, (c) => HTML_ENTITY[c]!) : s;
}

/** Length in code points (as `[...s].length`), without building the array: every reply line is measured. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 1; i < s.length; i++) {
    // A low surrogate right after a high one is the second half of one code point.
    if ((s.charCodeAt(i) & 0xfc00) === 0xdc00 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * Lines joined into pages of at most `limit` visible characters; a line that would overflow
 * starts the next page. Built line by line (every reply goes through here, so no per-line
 * arrays or objects).
 */
class Pages {
  readonly pages: string[] = [];
  private html = '';
  private lines = 0;
  private length = 0;

  constructor(private readonly limit: number) {}

  /** Adds one rendered line whose visible length is `length`. */
  add(html: string, length: number): void {
    if (this.lines > 0 && this.length + 1 + length > this.limit) {
      this.pages.push(this.html);
      this.html = '';
      this.lines = 0;
      this.length = 0;
    }
    if (this.lines > 0) {
      this.html += '\n';
      this.length += 1;
    }
    this.html += html;
    this.length += length;
    this.lines++;
  }

  /** Adds plain text as one line, optionally wrapped in a tag. */
  plain(text: string, wrap?: 'b' | 'pre' | 'i'): void {
    this.add(wrap ? `<${wrap}>${escapeHtml(text)}</${wrap}>` : escapeHtml(text), codePoints(text));
  }

  done(): string[] {
    if (this.lines > 0 || this.pages.length === 0) this.pages.push(this.html || '…');
    return this.pages;
  }
}

/** Splits plain text into pieces of at most `max` characters, preferring line breaks. */
function chunkPlain(text: string, max: number): string[] {
  // No more UTF-16 units than the limit means no more code points either: the common case, whole.
  if (text.length <= max) return [text];
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

/** Adds plain text as lines of at most `max` characters each. */
function addChunked(out: Pages, text: string, max: number, wrap?: 'pre'): void {
  if (text.length <= max) out.plain(text, wrap);
  else for (const piece of chunkPlain(text, max)) out.plain(piece, wrap);
}

function addBlock(out: Pages, b: Block, max: number): void {
  switch (b.kind) {
    case 'text':
      return addChunked(out, b.text, max);
    case 'code':
      return addChunked(out, b.text, max - 20, 'pre');
    case 'details': {
      // One folded quote, cut to fit one message: the summary shows, the rest opens on a tap.
      const text = chunkPlain(b.text, Math.max(1, max - codePoints(b.summary) - 60))[0] ?? '';
      return out.add(
        `<blockquote expandable><b>${escapeHtml(b.summary)}</b>\n${escapeHtml(text)}</blockquote>`,
        codePoints(b.summary) + 1 + codePoints(text),
      );
    }
    case 'list':
      for (const item of b.items) addChunked(out, `• ${item}`, max);
      return;
    case 'fields':
      for (const f of b.fields) {
        const label = codePoints(f.label);
        const value = f.value.length <= max - label - 4 ? f.value : (chunkPlain(f.value, max - label - 4)[0] ?? '');
        const shown = f.copy ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value);
        out.add(`<b>${escapeHtml(f.label)}</b>: ${shown}`, label + 2 + codePoints(value));
      }
      return;
  }
}

/** The last rendering of a block list (a reply kept for its readers, such as /status's or /help's), with what else it depended on. */
interface Rendered {
  readonly title: string | undefined;
  readonly severity: OutMessage['severity'];
  readonly footer: string | undefined;
  readonly limit: number;
  readonly pages: readonly string[];
}
const renderedBlocks = new WeakMap<readonly Block[], Rendered>();

/**
 * Renders a message to one or more HTML texts, each within `limit` visible characters. A block
 * list rendered before with the same title, severity and footer gives the same pages again
 * (blocks are immutable): replies kept for their readers are escaped once, not per command.
 */
export function renderTelegramHtml(m: OutMessage, limit = TELEGRAM_TEXT_LIMIT): readonly string[] {
  const kept = renderedBlocks.get(m.blocks);
  if (kept && kept.title === m.title && kept.severity === m.severity && kept.footer === m.footer && kept.limit === limit) return kept.pages;
  const pages = Object.freeze(renderPages(m, limit));
  renderedBlocks.set(m.blocks, { title: m.title, severity: m.severity, footer: m.footer, limit, pages });
  return pages;
}

function renderPages(m: OutMessage, limit: number): string[] {
  const out = new Pages(limit);
  if (m.title) {
    const icon = m.severity ? `${SEVERITY_ICON[m.severity]} ` : '';
    out.add(`${icon}<b>${escapeHtml(m.title)}</b>`, codePoints(icon) + codePoints(m.title));
  } else if (m.severity === 'critical' || m.severity === 'warning') {
    out.add(SEVERITY_ICON[m.severity] ?? '', 2);
  }
  for (const b of m.blocks) addBlock(out, b, limit);
  if (m.footer) out.plain(m.footer, 'i');
  const pages = out.done();
  // A severity icon alone would be merged into the first block's line for readability.
  return pages.map((p) => p.replace(SEVERITY_ICON_LINE, '$1 '));
}

/** Telegram inline keyboard from action rows; callback_data is `a:<token>` (≤ 64 bytes). */
export function inlineKeyboard(
  actions: OutMessage['actions'],
): { inline_keyboard: { text: string; callback_data: string }[][] } | undefined {
  if (!actions || actions.length === 0) return undefined;
  let keyboard = keyboards.get(actions);
  if (!keyboard) {
    keyboard = {
      inline_keyboard: actions.map((row: readonly Action[]) => row.map((a) => ({ text: a.label, callback_data: `a:${a.token}` }))),
    };
    keyboards.set(actions, keyboard);
  }
  return keyboard;
}

/** Keyboards by action rows (immutable): a reader's kept /help buttons are converted once. */
const keyboards = new WeakMap<readonly (readonly Action[])[], { inline_keyboard: { text: string; callback_data: string }[][] }>();
