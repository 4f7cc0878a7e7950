/**
 * OutMessage → Discord messages: an embed coloured by severity (or plain markdown when the
 * channel forbids embeds), buttons as components carrying the opaque action token, the image
 * as an attachment — split to Discord's limits (2000 content, 4096 description, 25 fields,
 * 6000 per message, 10 embeds) and truncated with a note beyond a few messages.
 */
import { type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord.js';
import type { Action, Block, Field, OutMessage } from '../../core/outmessage.ts';

/** Discord's limit on a message's plain content, in characters. */
export const CONTENT_LIMIT = 2000;
/** Discord's limit on an embed description, in characters. */
export const DESCRIPTION_LIMIT = 4096;
/** Discord's limit on all text of one embed together, in characters. */
export const EMBED_TOTAL_LIMIT = 6000;
const FIELDS_PER_EMBED = 25;
const EMBEDS_PER_MESSAGE = 10;
/** Room left in one embed for title (256) and footer (256) within the 6000 total. */
const FIELD_BUDGET = EMBED_TOTAL_LIMIT - 512;

/** Embed colours by severity (Discord's palette). */
export const SEVERITY_COLOUR: Record<string, number> = { info: 0x3498db, success: 0x2ecc71, warning: 0xf39c12, critical: 0xe74c3c };
const SEVERITY_ICON: Record<string, string> = { info: 'ℹ️', success: '✅', warning: '⚠️', critical: '🚨' };

/** One Discord message to send (discord.js accepts this shape for send/reply/edit). */
export interface DiscordPayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  files?: { attachment: Buffer; name: string }[];
  /** Never ping anyone from rendered text (a backend name could read "@everyone"). */
  allowedMentions?: { parse: [] };
}

/** What the channel allows (embeds, files) and how many messages one reply may take. */
export interface RenderOptions {
  /** False when the channel lacks Embed Links: render as plain markdown content. */
  readonly embeds?: boolean;
  /** False when the channel lacks Attach Files: the image is left out. */
  readonly files?: boolean;
  /** At most this many messages; the rest is cut with a note (default 5). */
  readonly maxMessages?: number;
}

/** The custom_id of a button: the action token (≤ 100 characters, checked by the registry of tokens). */
export const customIdFor = (token: string): string => `a:${token}`;

/** The action token inside a custom_id, or undefined for foreign components. */
export const tokenFromCustomId = (customId: string): string | undefined => (customId.startsWith('a:') ? customId.slice(2) : undefined);

const STYLE: Record<string, number> = { primary: 1, secondary: 2, danger: 4 };

/** Action rows (≤ 5 rows × 5 buttons, labels ≤ 80). */
export function components(actions: OutMessage['actions']): DiscordPayload['components'] {
  if (!actions || actions.length === 0) return undefined;
  return actions.slice(0, 5).map((row: readonly Action[]) => ({
    type: 1,
    components: row
      .slice(0, 5)
      .map((a) => ({ type: 2, style: STYLE[a.style ?? 'secondary'] ?? 2, label: clip(a.label, 80), custom_id: customIdFor(a.token) })),
  })) as DiscordPayload['components'];
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Escapes Discord markdown in plain text, in linear time (discord.js's escapeMarkdown takes
 * seconds on a long log tail): inline markers anywhere, block markers at a line start.
 */
export function escapeMd(s: string): string {
  return s.replace(/[\\*_~`|[\]]/g, '\\$&').replace(/^([ \t]*)(>|#{1,3}(?=\s)|-(?=[\s#])|\d+\.(?=\s))/gm, '$1\\$2');
}

const esc = escapeMd;

/** A field's value as markdown; a copyable one is inline code (double backticks, so a backtick inside stays literal). */
function fieldValue(f: Field): string {
  if (!f.copy) return esc(f.value);
  const v = f.value.replace(/``/g, '`\u200b`');
  return `\`\` ${v} \`\``;
}

/** Markdown lines of the body; fields become lines only when they cannot be embed fields. */
function bodyLines(blocks: readonly Block[], fieldsAsLines: boolean, max: number): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'text':
        out.push(...esc(b.text).split('\n'));
        break;
      case 'list':
        for (const i of b.items) out.push(`• ${esc(i)}`);
        break;
      case 'code': {
        // A zero-width space keeps a ``` inside the text from closing the block early; each
        // piece is fenced on its own so a split never leaves a block open.
        const text = b.text.replace(/```/g, '`\u200b``');
        for (const piece of pack(text.split('\n'), max - 8)) out.push(`\`\`\`\n${piece}\n\`\`\``);
        break;
      }
      case 'details': {
        // Discord cannot fold text: the log sits in a spoiler (one tap shows it), cut to one piece.
        const text = b.text.replace(/```/g, '`\u200b``').replace(/\|\|/g, '|\u200b|');
        const piece = pack(text.split('\n'), max - b.summary.length - 16)[0] ?? '';
        out.push(`**${esc(b.summary)}**`, `||\`\`\`\n${piece}\n\`\`\`||`);
        break;
      }
      case 'fields':
        if (fieldsAsLines) for (const f of b.fields) out.push(`**${esc(f.label)}**: ${fieldValue(f)}`);
        break;
    }
  }
  return out;
}

/** Packs lines into chunks of at most `max` characters, hard-splitting lines that are too long. */
export function pack(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur) chunks.push(cur);
    cur = '';
  };
  for (const line of lines) {
    for (let piece = line; ;) {
      const sep = cur ? 1 : 0;
      if (cur.length + sep + piece.length <= max) {
        cur += (sep ? '\n' : '') + piece;
        break;
      }
      if (cur) {
        flush();
        continue;
      }
      chunks.push(piece.slice(0, max));
      piece = piece.slice(max);
      if (!piece) break;
    }
  }
  flush();
  return chunks;
}

const embedSize = (e: APIEmbed): number =>
  (e.title?.length ?? 0) +
  (e.description?.length ?? 0) +
  (e.footer?.text.length ?? 0) +
  (e.fields ?? []).reduce((a, f) => a + f.name.length + f.value.length, 0);

/** Renders a message as one or more Discord messages within every limit. */
export function renderDiscord(m: OutMessage, o: RenderOptions = {}): DiscordPayload[] {
  const useEmbeds = o.embeds ?? true;
  const image = m.image && (o.files ?? true) ? { attachment: Buffer.from(m.image.pngBase64, 'base64'), name: m.image.filename } : undefined;
  const pages = useEmbeds ? embedPages(m, image?.name) : contentPages(m);
  const max = o.maxMessages ?? 5;
  if (pages.length > max) {
    const hidden = pages
      .slice(max)
      .reduce((a, p) => a + (p.content?.length ?? 0) + (p.embeds ?? []).reduce((s, e) => s + embedSize(e), 0), 0);
    pages.length = max;
    appendNote(pages[max - 1]!, `… [+${hidden}]`);
  }
  if (image) pages[0]!.files = [image];
  for (const p of pages) p.allowedMentions = { parse: [] };
  const rows = components(m.actions);
  if (rows) pages[pages.length - 1]!.components = rows;
  return pages;
}

function appendNote(p: DiscordPayload, note: string): void {
  const last = p.embeds?.at(-1);
  if (last) {
    const d = last.description ?? '';
    last.description =
      d.length + note.length + 1 <= DESCRIPTION_LIMIT
        ? `${d}\n${note}`.trim()
        : `${d.slice(0, DESCRIPTION_LIMIT - note.length - 1)}\n${note}`;
  } else {
    const c = p.content ?? '';
    p.content = c.length + note.length + 1 <= CONTENT_LIMIT ? `${c}\n${note}` : `${c.slice(0, CONTENT_LIMIT - note.length - 1)}\n${note}`;
  }
}

function embedPages(m: OutMessage, imageName: string | undefined): DiscordPayload[] {
  const colour = m.severity ? SEVERITY_COLOUR[m.severity] : undefined;
  const embeds: APIEmbed[] = pack(bodyLines(m.blocks, false, DESCRIPTION_LIMIT), DESCRIPTION_LIMIT).map((d) => ({ description: d }));
  const fields = m.blocks
    .flatMap((b) => (b.kind === 'fields' ? b.fields : []))
    .map((f) => ({
      // Field names and values render markdown (a masked link in a router identity would be a link): escaped like the body.
      name: clip(esc(f.label), 256) || '\u200b',
      value: f.copy ? fieldValue({ ...f, value: clip(f.value, 1000) }) : clip(esc(f.value), 1024) || '\u200b',
      inline: f.label.length + f.value.length <= 40,
    }));
  // Fields go in embeds of ≤ 25 fields and ≤ FIELD_BUDGET characters, the first joining the last text embed when it fits.
  for (const f of fields) {
    const last = embeds.at(-1);
    const lastFields = last?.fields ?? [];
    const fits = last && lastFields.length < FIELDS_PER_EMBED && embedSize(last) + f.name.length + f.value.length <= FIELD_BUDGET;
    if (last && fits) last.fields = [...lastFields, f];
    else embeds.push({ fields: [f] });
  }
  if (embeds.length === 0) embeds.push({});
  const first = embeds[0]!;
  if (m.title) first.title = clip(`${m.severity ? `${SEVERITY_ICON[m.severity]} ` : ''}${m.title}`, 256);
  if (imageName) first.image = { url: `attachment://${imageName}` };
  if (m.footer) embeds.at(-1)!.footer = { text: clip(m.footer, 256) };
  for (const e of embeds) {
    if (colour !== undefined) e.color = colour;
    // An embed needs something visible; an image-only message has its image.
    if (!e.title && !e.description && !e.fields && !e.image) e.description = '\u200b';
  }
  // Group into messages: ≤ 10 embeds and ≤ 6000 characters each.
  const pages: DiscordPayload[] = [];
  let cur: APIEmbed[] = [];
  let size = 0;
  for (const e of embeds) {
    const s = embedSize(e);
    if (cur.length > 0 && (cur.length >= EMBEDS_PER_MESSAGE || size + s > EMBED_TOTAL_LIMIT)) {
      pages.push({ embeds: cur });
      cur = [];
      size = 0;
    }
    cur.push(e);
    size += s;
  }
  pages.push({ embeds: cur });
  return pages;
}

function contentPages(m: OutMessage): DiscordPayload[] {
  const lines: string[] = [];
  if (m.title) lines.push(`**${m.severity ? `${SEVERITY_ICON[m.severity]} ` : ''}${esc(m.title)}**`);
  else if (m.severity === 'warning' || m.severity === 'critical') lines.push(SEVERITY_ICON[m.severity]!);
  lines.push(...bodyLines(m.blocks, true, CONTENT_LIMIT));
  if (m.footer) lines.push(`-# ${esc(m.footer)}`);
  const chunks = pack(lines, CONTENT_LIMIT);
  return (chunks.length > 0 ? chunks : ['\u200b']).map((content) => ({ content }));
}
