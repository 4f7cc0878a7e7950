/**
 * Server-side state behind buttons. A button carries only an opaque random token (22
 * characters, so `a:<token>` fits Telegram's 64-byte callback_data); its SQLite row holds the
 * command, arguments, chat, who may press it and until when. Pressing re-runs the whole
 * pipeline, so the presser's permission is checked again at press time.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import { chatStorageKey, parseChatStorageKey, type ChatRef } from '../core/chat-address.ts';
import { hashCode, opaqueToken } from './codes.ts';

/** What a button does and who may press it. */
export interface TokenSpec {
  command: string;
  args: Readonly<Record<string, string>>;
  /** Only this identity (or another identity of the same person) may press; undefined = anyone the permission allows. */
  allowedIdentity?: string;
  chat: ChatRef;
  ttlMs: number;
  /** Refuse a second press (state-changing actions, confirmations). */
  oneShot: boolean;
}

/** Result of pressing a button. */
export type TakeResult =
  | { ok: true; command: string; args: Record<string, string>; chat: ChatRef }
  | { ok: false; reason: 'expired' | 'unknown' | 'used' | 'not-yours' };

interface TokenRow {
  command: string;
  args: string;
  allowedIdentity: string | null;
  chat: string;
  expiresAt: number;
  oneShot: number;
  usedAt: number | null;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{22}$/;
/** Expired rows are kept a week so a late press says "expired", not "unknown". */
const KEEP_EXPIRED_MS = 7 * 24 * 3_600_000;

/** Creates and redeems button tokens. */
export class ActionTokens {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Stores a button's action and returns its opaque token. */
  create(spec: TokenSpec): string {
    if (!(spec.ttlMs > 0)) throw new Error('action token ttl must be positive');
    const token = opaqueToken();
    const now = this.clock.now();
    this.db.prepare('DELETE FROM action_tokens WHERE expires_at < ?').run(now - KEEP_EXPIRED_MS);
    this.db
      .prepare(
        `INSERT INTO action_tokens (token_hash, command, args, allowed_identity, chat, created_at, expires_at, one_shot)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hashCode(token),
        spec.command,
        JSON.stringify(spec.args),
        spec.allowedIdentity ?? null,
        chatStorageKey(spec.chat),
        now,
        now + spec.ttlMs,
        spec.oneShot ? 1 : 0,
      );
    return token;
  }

  /** Redeems a press; a one-shot token succeeds exactly once, even under concurrent presses. */
  take(token: string, presser: string): TakeResult {
    if (!TOKEN_RE.test(token)) return { ok: false, reason: 'unknown' };
    const h = hashCode(token);
    const row = this.db
      .prepare(
        `SELECT command, args, allowed_identity AS allowedIdentity, chat, expires_at AS expiresAt, one_shot AS oneShot, used_at AS usedAt
       FROM action_tokens WHERE token_hash = ?`,
      )
      .get(h) as TokenRow | undefined;
    const chat = row && parseChatStorageKey(row.chat);
    if (!row || !chat) return { ok: false, reason: 'unknown' };
    if (row.allowedIdentity !== null && !this.samePerson(row.allowedIdentity, presser)) return { ok: false, reason: 'not-yours' };
    const now = this.clock.now();
    if (now >= row.expiresAt) return { ok: false, reason: 'expired' };
    if (row.oneShot === 1) {
      const claimed = this.db
        .prepare('UPDATE action_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL')
        .run(now, presser, h);
      if (claimed.changes !== 1) return { ok: false, reason: 'used' };
    } else {
      this.db.prepare('UPDATE action_tokens SET used_at = ?, used_by = ? WHERE token_hash = ?').run(now, presser, h);
    }
    return { ok: true, command: row.command, args: JSON.parse(row.args) as Record<string, string>, chat };
  }

  /** Deletes every token of a finished flow early (e.g. the other buttons of an approval). */
  revokeWhere(command: string, argName: string, argValue: string): number {
    return this.db
      .prepare('UPDATE action_tokens SET used_at = ? WHERE command = ? AND json_extract(args, ?) = ? AND used_at IS NULL AND one_shot = 1')
      .run(this.clock.now(), command, `$."${argName.replace(/"/g, '')}"`, argValue).changes;
  }

  /** A button meant for one identity may be pressed from another identity linked to the same person. */
  private samePerson(allowed: string, presser: string): boolean {
    if (allowed === presser) return true;
    const row = this.db
      .prepare(`SELECT 1 FROM identities a JOIN identities b ON a.person_id = b.person_id WHERE a.identity = ? AND b.identity = ?`)
      .get(allowed, presser);
    return row !== undefined;
  }
}
