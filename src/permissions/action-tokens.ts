/**
 * Server-side state behind buttons. A button carries only an opaque random token (22
 * characters, so `a:<token>` fits Telegram's 64-byte callback_data); its SQLite row holds the
 * command, arguments, chat, who may press it and until when. Pressing re-runs the whole
 * pipeline, so the presser's permission is checked again at press time.
 */
import type { Clock } from '../core/clock.ts';
import { statementCache, type Db } from '../core/db.ts';
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
/** Old rows are swept at most this often (a sweep per button made every /help a dozen writes more). */
const SWEEP_EVERY_MS = 60_000;
/** Re-pressable buttons remembered for reuse (each /help would otherwise write a row per area button). */
const REUSABLE_MAX = 1000;

/** Creates and redeems button tokens. */
export class ActionTokens {
  private readonly sql: ReturnType<typeof statementCache>;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Spec key → a re-pressable token and its expiry, reused while at least half its lifetime is left. */
  private readonly reusable = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = statementCache(db);
  }

  /**
   * Stores a button's action and returns its opaque token. A re-pressable (not one-shot) button
   * with the same action, chat and presser as one made recently gets that token again: the row
   * already says everything, and pressing re-authorises anyway.
   */
  create(spec: TokenSpec): string {
    if (!(spec.ttlMs > 0)) throw new Error('action token ttl must be positive');
    const now = this.clock.now();
    const key = spec.oneShot ? undefined : reuseKey(spec);
    const known = key === undefined ? undefined : this.reusable.get(key);
    if (known && known.expiresAt - now >= spec.ttlMs / 2) return known.token;
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      this.sql('DELETE FROM action_tokens WHERE expires_at < ?').run(now - KEEP_EXPIRED_MS);
    }
    const token = opaqueToken();
    this.sql(
      `INSERT INTO action_tokens (token_hash, command, args, allowed_identity, chat, created_at, expires_at, one_shot)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      hashCode(token),
      spec.command,
      JSON.stringify(spec.args),
      spec.allowedIdentity ?? null,
      chatStorageKey(spec.chat),
      now,
      now + spec.ttlMs,
      spec.oneShot ? 1 : 0,
    );
    if (key !== undefined) this.remember(key, token, now + spec.ttlMs);
    return token;
  }

  private remember(key: string, token: string, expiresAt: number): void {
    this.reusable.delete(key);
    this.reusable.set(key, { token, expiresAt });
    // Oldest first (Map keeps insertion order): drop it past the bound.
    if (this.reusable.size > REUSABLE_MAX) this.reusable.delete(this.reusable.keys().next().value!);
  }

  /** Redeems a press; a one-shot token succeeds exactly once, even under concurrent presses. */
  take(token: string, presser: string): TakeResult {
    if (!TOKEN_RE.test(token)) return { ok: false, reason: 'unknown' };
    const h = hashCode(token);
    const row = this.sql(
      `SELECT command, args, allowed_identity AS allowedIdentity, chat, expires_at AS expiresAt, one_shot AS oneShot, used_at AS usedAt
       FROM action_tokens WHERE token_hash = ?`,
    ).get(h) as TokenRow | undefined;
    const chat = row && parseChatStorageKey(row.chat);
    if (!row || !chat) return { ok: false, reason: 'unknown' };
    if (row.allowedIdentity !== null && !this.samePerson(row.allowedIdentity, presser)) return { ok: false, reason: 'not-yours' };
    const now = this.clock.now();
    if (now >= row.expiresAt) return { ok: false, reason: 'expired' };
    if (row.oneShot === 1) {
      const claimed = this.sql('UPDATE action_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL').run(
        now,
        presser,
        h,
      );
      if (claimed.changes !== 1) return { ok: false, reason: 'used' };
    } else {
      this.sql('UPDATE action_tokens SET used_at = ?, used_by = ? WHERE token_hash = ?').run(now, presser, h);
    }
    return { ok: true, command: row.command, args: JSON.parse(row.args) as Record<string, string>, chat };
  }

  /** Deletes every token of a finished flow early (e.g. the other buttons of an approval). */
  revokeWhere(command: string, argName: string, argValue: string): number {
    return this.sql(
      'UPDATE action_tokens SET used_at = ? WHERE command = ? AND json_extract(args, ?) = ? AND used_at IS NULL AND one_shot = 1',
    ).run(this.clock.now(), command, `$."${argName.replace(/"/g, '')}"`, argValue).changes;
  }

  /** A button meant for one identity may be pressed from another identity linked to the same person. */
  private samePerson(allowed: string, presser: string): boolean {
    if (allowed === presser) return true;
    const row = this.sql(
      `SELECT 1 FROM identities a JOIN identities b ON a.person_id = b.person_id WHERE a.identity = ? AND b.identity = ?`,
    ).get(allowed, presser);
    return row !== undefined;
  }
}

/**
 * What makes two re-pressable buttons the same: action, arguments (in order), chat, presser and
 * lifetime. Every text is length-prefixed, so two different specs never share a key; cheaper
 * than JSON for the dozen buttons of each /help.
 */
function reuseKey(spec: TokenSpec): string {
  const who = spec.allowedIdentity === undefined ? '*' : part(spec.allowedIdentity);
  let key = `${spec.ttlMs}|${part(spec.command)}${who}${part(chatStorageKey(spec.chat))}`;
  for (const name of Object.keys(spec.args)) key += part(name) + part(spec.args[name]!);
  return key;
}

const part = (s: string): string => `${s.length}:${s}`;
