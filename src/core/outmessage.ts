/**
 * One platform-neutral reply or alert (Botkube's idea): handlers and the alert engine build
 * it from already-translated text; each adapter renders it (Telegram HTML, Discord embeds,
 * console text). It is plain data, so it can be stored in the outbox as JSON.
 */

/** Colour/emoji class of a message. */
export type MessageSeverity = 'info' | 'success' | 'warning' | 'critical';

/** A piece of message body. Text is plain (adapters escape it); never pre-formatted HTML. */
export type Block =
  | { readonly kind: 'text'; readonly text: string }
  /** Label/value rows, e.g. "CPU: 12 %". */
  | { readonly kind: 'fields'; readonly fields: readonly Field[] }
  /** A bulleted list. */
  | { readonly kind: 'list'; readonly items: readonly string[] }
  /** Monospaced text (log tails, passwords to copy). */
  | { readonly kind: 'code'; readonly text: string }
  /**
   * Long text folded away behind its summary line (a failed task's log): Telegram shows an
   * expandable quote, Discord a spoiler to tap, the console the text under the summary.
   */
  | { readonly kind: 'details'; readonly summary: string; readonly text: string };

/** One label/value row; `copy` shows the value monospaced so one tap copies it (Telegram `<code>`, Discord inline code). */
export interface Field {
  readonly label: string;
  readonly value: string;
  readonly copy?: boolean;
}

/** A button. `token` is an opaque server-side action token, never data to trust. */
export interface Action {
  readonly label: string;
  readonly token: string;
  readonly style?: 'primary' | 'danger' | 'secondary';
}

/** A picture sent with the message (QR codes). */
export interface Image {
  /** PNG bytes, base64-encoded so the message stays JSON-serialisable. */
  readonly pngBase64: string;
  readonly filename: string;
}

/** A platform-neutral reply or push: title, severity, blocks, image, buttons; each adapter renders it. */
export interface OutMessage {
  readonly title?: string;
  readonly severity?: MessageSeverity;
  readonly blocks: readonly Block[];
  readonly image?: Image;
  /** Rows of buttons. */
  readonly actions?: readonly (readonly Action[])[];
  /** Only the person who asked should see it: Discord ephemeral; asked in a Telegram group, it goes to their private chat. */
  readonly ephemeral?: boolean;
  /** Footer line, e.g. "as of 2 min ago". */
  readonly footer?: string;
}

/** Shorthand for a message of one text block. */
export function textMessage(text: string, extra: Omit<OutMessage, 'blocks'> = {}): OutMessage {
  return { ...extra, blocks: [{ kind: 'text', text }] };
}

/** Plain-text rendering used by the console adapter and in tests. */
export function toPlainText(m: OutMessage): string {
  const lines: string[] = [];
  if (m.title) lines.push(m.title);
  for (const b of m.blocks) {
    switch (b.kind) {
      case 'text':
        lines.push(b.text);
        break;
      case 'fields':
        for (const f of b.fields) lines.push(`${f.label}: ${f.value}`);
        break;
      case 'list':
        for (const i of b.items) lines.push(`• ${i}`);
        break;
      case 'code':
        lines.push(b.text);
        break;
      case 'details':
        lines.push(b.summary, b.text);
        break;
    }
  }
  if (m.footer) lines.push(m.footer);
  return lines.join('\n');
}
