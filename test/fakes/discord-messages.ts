/**
 * Message bodies of the fake Discord: creating and editing stored messages from a JSON or
 * multipart (payload_json + files[n]) body, with attachments kept so tests can read the bytes,
 * and the validation and channel-permission checks Discord applies before accepting them.
 */
import type { FormPart } from './multipart.ts';
import { FLAG, PERM, snowflake, type DMessage, type DiscordState } from './discord-model.ts';
import { isEmptyMessage, validateMessage } from './discord-validate.ts';

/** An API error with Discord's JSON body. */
export class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? status));
  }
}

/** 400 Invalid Form Body with the nested errors object. */
export const invalidForm = (errors: Record<string, unknown>): DiscordError =>
  new DiscordError(400, { code: 50035, message: 'Invalid Form Body', errors });

/** 404 with one of Discord's "Unknown …" codes. */
export const unknown = (what: string, code: number): DiscordError => new DiscordError(404, { message: `Unknown ${what}`, code });

/** Throws Discord's 400s for an invalid body (and 50006 for an empty new message). */
export function checkBody(body: Record<string, unknown>, files: readonly FormPart[], creating: boolean): void {
  const e = validateMessage(body);
  if (!e.empty) throw invalidForm(e.tree);
  if (creating && isEmptyMessage(body, files.length)) throw new DiscordError(400, { message: 'Cannot send an empty message', code: 50006 });
}

/**
 * Throws 403 when the bot may not post this body in the channel (only /channels routes check
 * this: interaction responses are webhooks and need no channel permission). Editing its own
 * message needs no SendMessages, but embeds and files still need their permissions.
 */
export function checkPermissions(
  state: DiscordState,
  channelId: string,
  body: Record<string, unknown>,
  files: readonly FormPart[],
  editing = false,
): void {
  const p = state.botPermissions(channelId);
  if (!(p & PERM.ViewChannel)) throw new DiscordError(403, { message: 'Missing Access', code: 50001 });
  const missing = (bit: bigint): boolean => !(p & bit);
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  if (
    (!editing && missing(PERM.SendMessages)) ||
    (hasEmbeds && missing(PERM.EmbedLinks)) ||
    (files.length > 0 && missing(PERM.AttachFiles))
  ) {
    throw new DiscordError(403, { message: 'Missing Permissions', code: 50013 });
  }
}

/** Files of a multipart body (`files[n]` parts), by their index n. */
function fileParts(files: readonly FormPart[]): Map<string, FormPart> {
  const byIndex = new Map<string, FormPart>();
  files.forEach((f, i) => byIndex.set(/^files\[(\d+)\]$/.exec(f.name)?.[1] ?? String(i), f));
  return byIndex;
}

/** Attachment objects for new files, storing their bytes. */
function newAttachments(
  state: DiscordState,
  baseUrl: string,
  channelId: string,
  body: Record<string, unknown>,
  files: readonly FormPart[],
): DMessage['attachments'] {
  const parts = fileParts(files);
  const declared = Array.isArray(body.attachments) ? (body.attachments as { id: unknown; filename?: string }[]) : [];
  const out: DMessage['attachments'] = [];
  for (const [index, part] of parts) {
    const decl = declared.find((a) => String(a.id) === index);
    const filename = decl?.filename ?? part.filename ?? `file${index}`;
    const id = snowflake();
    state.files.set(id, part.data);
    const url = `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    out.push({
      id,
      filename,
      size: part.data.length,
      url,
      proxy_url: url,
      ...(part.contentType ? { content_type: part.contentType } : {}),
    });
  }
  return out;
}

/** Creates a bot message from a body. */
export function createMessage(
  state: DiscordState,
  baseUrl: string,
  channelId: string,
  body: Record<string, unknown>,
  files: readonly FormPart[],
  extra: Partial<DMessage> = {},
): DMessage {
  const flags = typeof body.flags === 'number' ? body.flags & (FLAG.Ephemeral | FLAG.SuppressEmbeds) : 0;
  return state.addMessage({
    channel_id: channelId,
    guild_id: state.guildId,
    content: typeof body.content === 'string' ? body.content : '',
    embeds: Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [],
    components: Array.isArray(body.components) ? (body.components as Record<string, unknown>[]) : [],
    attachments: newAttachments(state, baseUrl, channelId, body, files),
    flags,
    type: 0,
    ...(body.message_reference ? { message_reference: body.message_reference as Record<string, unknown>, type: 19 } : {}),
    ...extra,
  });
}

/** Applies an edit: fields present replace the old ones; `attachments` lists what to keep. */
export function editMessage(
  state: DiscordState,
  baseUrl: string,
  m: DMessage,
  body: Record<string, unknown>,
  files: readonly FormPart[],
): DMessage {
  if (typeof body.content === 'string' || body.content === null) m.content = (body.content as string | null) ?? '';
  if (Array.isArray(body.embeds) || body.embeds === null) m.embeds = (body.embeds as Record<string, unknown>[] | null) ?? [];
  if (Array.isArray(body.components) || body.components === null)
    m.components = (body.components as Record<string, unknown>[] | null) ?? [];
  if (Array.isArray(body.attachments)) {
    const keep = new Set((body.attachments as { id: unknown }[]).map((a) => String(a.id)));
    m.attachments = m.attachments.filter((a) => keep.has(a.id));
  }
  m.attachments = [...m.attachments, ...newAttachments(state, baseUrl, m.channel_id, body, files)];
  if (typeof body.flags === 'number') m.flags = (m.flags & ~FLAG.SuppressEmbeds) | (body.flags & FLAG.SuppressEmbeds);
  m.flags &= ~FLAG.Loading;
  m.edited_timestamp = new Date().toISOString();
  return m;
}

/** The message as the API returns it (without the fake's own marker). */
export function apiMessage(m: DMessage): Record<string, unknown> {
  const { deleted: _deleted, ...rest } = m;
  return rest;
}
