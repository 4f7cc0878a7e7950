import type { MessageKey } from '../core/i18n.ts';
import cron from 'node-cron';
import type { Logger } from '../core/logger.ts';
import type { AlertCause } from './causes.ts';

/**
 * The morning digest: one message built from the latest snapshots. The data arrives as a plain
 * object (the composition root reads each area's poller), so building it is a pure function.
 */
export interface DigestInput {
  /** Last night's backups. */
  readonly backups?: {
    readonly ok: readonly string[];
    readonly failed: readonly { readonly guest: string; readonly at: number }[];
    /** Guests with no successful backup inside their window. */
    readonly missing: readonly string[];
    /** Last successful off-site sync, if configured. */
    readonly offsiteAt?: number;
  };
  readonly raid?: readonly { readonly name: string; readonly state: string; readonly healthy: boolean; readonly progress?: number }[];
  readonly disks?: readonly { readonly name: string; readonly healthy: boolean; readonly detail?: string; readonly usedPercent?: number }[];
  readonly ups?: {
    readonly charge?: number;
    readonly runtimeSeconds?: number;
    readonly replaceBattery: boolean;
    readonly onMains: boolean;
  };
  readonly updates?: readonly { readonly host: string; readonly count: number; readonly security?: number }[];
}

/** One section's verdict. */
export interface DigestSection {
  readonly name: 'backups' | 'raid' | 'disks' | 'ups' | 'updates';
  readonly ok: boolean;
}

/** A condition held by a known cause, as the digest lists it. */
export interface HeldAlert {
  readonly summaryKey: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
  readonly cause: AlertCause;
}

/** The digest as stored in the outbox and rendered per chat. */
export interface Digest extends DigestInput {
  readonly at: number;
  readonly sections: readonly DigestSection[];
  readonly activeAlerts: number;
  /** Conditions not raised because a cause explains them (folded alerts), with that cause. */
  readonly held?: readonly HeldAlert[];
  /** True when every section is fine and nothing is raised. */
  readonly allGood: boolean;
}

/** Builds the digest; sections without data are left out rather than shown as fine. */
export function buildDigest(input: DigestInput, now: number, activeAlerts = 0, held: readonly HeldAlert[] = []): Digest {
  const sections: DigestSection[] = [];
  if (input.backups) sections.push({ name: 'backups', ok: input.backups.failed.length === 0 && input.backups.missing.length === 0 });
  if (input.raid) sections.push({ name: 'raid', ok: input.raid.every((a) => a.healthy) });
  if (input.disks) sections.push({ name: 'disks', ok: input.disks.every((d) => d.healthy) });
  if (input.ups) sections.push({ name: 'ups', ok: input.ups.onMains && !input.ups.replaceBattery });
  // Pending updates are news, not a problem, unless some are security fixes.
  if (input.updates) sections.push({ name: 'updates', ok: input.updates.every((u) => !u.security) });
  return {
    ...input,
    at: now,
    sections,
    activeAlerts,
    ...(held.length ? { held } : {}),
    allGood: activeAlerts === 0 && held.length === 0 && sections.every((s) => s.ok),
  };
}

/** Combines the areas' parts: `backups` may come from several (Proxmox jobs, the off-site copy), the rest from one each. */
export function mergeDigestInputs(parts: readonly Partial<DigestInput>[]): DigestInput {
  const merged: DigestInput = Object.assign({}, ...parts);
  const backups = parts.flatMap((p) => (p.backups ? [p.backups] : []));
  if (backups.length < 2) return merged;
  const offsiteAt = backups.find((b) => b.offsiteAt !== undefined)?.offsiteAt;
  return {
    ...merged,
    backups: {
      ok: backups.flatMap((b) => b.ok),
      failed: backups.flatMap((b) => b.failed),
      missing: backups.flatMap((b) => b.missing),
      ...(offsiteAt !== undefined ? { offsiteAt } : {}),
    },
  };
}

/** A running schedule. */
export interface DigestSchedule {
  stop(): void;
}

/** Runs `send` on the cron expression (node-cron 4) in the given zone; a failing run is logged, not fatal. */
export function scheduleDigest(expression: string, timezone: string, send: () => void | Promise<void>, log: Logger): DigestSchedule {
  if (!cron.validate(expression)) throw new Error(`alerts.digest.cron: not a valid cron expression: ${expression}`);
  const task = cron.schedule(
    expression,
    async () => {
      try {
        await send();
      } catch (e) {
        log.error({ err: e }, 'daily digest failed');
      }
    },
    { timezone, name: 'daily-digest', noOverlap: true },
  );
  return { stop: () => void task.stop() };
}
