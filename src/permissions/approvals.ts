/**
 * Requests for a permission someone lacks. An admin (or the owner) who holds the permission
 * approves or denies once; the pipeline then runs the original request as the requester,
 * with the approver recorded. Requests expire unanswered.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { AccessControl, Outcome, Principal } from './access.ts';
import { chatStorageKey, parseChatStorageKey, type ChatRef } from '../core/chat-address.ts';
import { atLeast } from './roles.ts';

/** Default lifetime of an unanswered request. */
export const APPROVAL_TTL_MS = 24 * 3_600_000;

/** A stored request. */
export interface ApprovalRequest {
  id: number;
  requester: string;
  /** Where it was asked, with the group's title as it was then (when the platform gave one). */
  chat: ChatRef;
  command: string;
  args: Record<string, string>;
  permission: string;
  status: 'pending' | 'approved' | 'denied';
  createdAt: number;
  expiresAt: number;
  decidedBy?: string;
  decidedAt?: number;
}

/** What a requester asks for. */
export interface ApprovalSpec {
  requester: Principal;
  chat: ChatRef;
  command: string;
  args: Readonly<Record<string, string>>;
  permission: string;
}

/** Why a decision was refused. */
export type DecideReason = 'unknown' | 'expired' | 'already-decided' | 'not-allowed' | 'own-request' | 'requester-gone';

interface Row {
  id: number;
  requester: string;
  chat: string;
  chatTitle: string | null;
  command: string;
  args: string;
  permission: string;
  status: ApprovalRequest['status'];
  createdAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
}

const SELECT = `SELECT id, requester, chat, chat_title AS chatTitle, command, args, permission, status, created_at AS createdAt, expires_at AS expiresAt,
  decided_by AS decidedBy, decided_at AS decidedAt FROM approvals`;

function toRequest(r: Row): ApprovalRequest {
  return {
    id: r.id,
    requester: r.requester,
    chat: { ...(parseChatStorageKey(r.chat) as ChatRef), ...(r.chatTitle !== null ? { title: r.chatTitle } : {}) },
    command: r.command,
    args: JSON.parse(r.args) as Record<string, string>,
    permission: r.permission,
    status: r.status,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...(r.decidedBy !== null ? { decidedBy: r.decidedBy } : {}),
    ...(r.decidedAt !== null ? { decidedAt: r.decidedAt } : {}),
  };
}

/** Stores approval requests and their single decision. */
export class Approvals {
  private readonly ttlMs: number;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly access: AccessControl,
    opts: { ttlMs?: number } = {},
  ) {
    this.ttlMs = opts.ttlMs ?? APPROVAL_TTL_MS;
  }

  /** Files a request and returns its id; asking again for the same pending thing returns the same id. */
  requestApproval(spec: ApprovalSpec): number {
    const { db, clock } = this;
    const args = JSON.stringify(spec.args);
    const now = clock.now();
    const existing = db
      .prepare(
        `SELECT id FROM approvals WHERE requester = ? AND chat = ? AND command = ? AND args = ? AND status = 'pending' AND expires_at > ?`,
      )
      .pluck()
      .get(spec.requester.identity, chatStorageKey(spec.chat), spec.command, args, now) as number | undefined;
    const title = spec.chat.title ?? null;
    if (existing !== undefined) {
      // Asked again: the group's title as it is now (it may have been renamed since).
      if (title !== null) db.prepare('UPDATE approvals SET chat_title = ? WHERE id = ?').run(title, existing);
      return existing;
    }
    const r = db
      .prepare(
        `INSERT INTO approvals (requester, chat, chat_title, command, args, permission, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(spec.requester.identity, chatStorageKey(spec.chat), title, spec.command, args, spec.permission, now, now + this.ttlMs);
    return Number(r.lastInsertRowid);
  }

  /** One request by id. */
  get(id: number): ApprovalRequest | undefined {
    const r = this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as Row | undefined;
    return r && toRequest(r);
  }

  /** Pending, unexpired requests, oldest first. */
  pending(): ApprovalRequest[] {
    return (this.db.prepare(`${SELECT} WHERE status = 'pending' AND expires_at > ? ORDER BY id`).all(this.clock.now()) as Row[]).map(
      toRequest,
    );
  }

  /**
   * Decides a request once. Only an admin or owner whose role (lowered by `chat`'s ceiling when
   * given) holds the requested permission may decide, and never on their own request.
   */
  decide(
    id: number,
    approver: Principal,
    decision: 'approve' | 'deny',
    chat?: ChatRef,
  ): Outcome<DecideReason, { request: ApprovalRequest; requester: Principal }> {
    const { db, clock } = this;
    return db.transaction((): Outcome<DecideReason, { request: ApprovalRequest; requester: Principal }> => {
      const request = this.get(id);
      if (!request) return { ok: false, reason: 'unknown' };
      if (request.status !== 'pending') return { ok: false, reason: 'already-decided' };
      if (clock.now() >= request.expiresAt) return { ok: false, reason: 'expired' };
      const facts = this.access.actorFacts(approver);
      if (!facts) return { ok: false, reason: 'not-allowed' };
      const role = chat ? this.access.effectiveRole({ ...approver, role: facts.role }, chat) : facts.role;
      if (!atLeast(role, 'admin') || !this.access.roleHolds(role, request.permission)) return { ok: false, reason: 'not-allowed' };
      const requester = this.access.resolve(request.requester);
      if (!requester) return { ok: false, reason: 'requester-gone' };
      if (requester.personId === approver.personId) return { ok: false, reason: 'own-request' };
      const status = decision === 'approve' ? 'approved' : 'denied';
      const at = clock.now();
      const r = db
        .prepare(`UPDATE approvals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'`)
        .run(status, approver.identity, at, id);
      if (r.changes !== 1) return { ok: false, reason: 'already-decided' };
      return { ok: true, request: { ...request, status, decidedBy: approver.identity, decidedAt: at }, requester };
    })();
  }
}
