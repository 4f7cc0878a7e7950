/** Reading the fake Bot API's stored messages as a chat member sees them: text, caption, buttons. */
import type { StoredMessage } from '../fakes/telegram-api.ts';

type Keyboard = { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;

/** The labels of a message's inline buttons, row by row. */
export const buttonLabels = (m: StoredMessage): string[] => ((m.reply_markup as Keyboard)?.inline_keyboard ?? []).flat().map((b) => b.text);

/** The message's text (or caption) and its button labels, as the reader sees them. */
export const seenText = (m: StoredMessage): string => [m.text, m.caption, ...buttonLabels(m)].filter(Boolean).join('\n');

/** The callback data of the first button whose label matches. */
export function buttonData(m: StoredMessage, label: RegExp): string {
  const rows = (m.reply_markup as Keyboard)?.inline_keyboard ?? [];
  const b = rows.flat().find((x) => label.test(x.text));
  if (!b?.callback_data) throw new Error(`no button ${label} in ${JSON.stringify(rows)}`);
  return b.callback_data;
}
