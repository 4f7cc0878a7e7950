/** How an announcement is routed: like an alert of `source`; `id` makes it once-only per chat. */
export interface AnnounceRoute {
  readonly source: AlertSource;
  readonly severity: Severity;
  readonly id: string;
  /** Mute targets (besides the source) that silence it, e.g. `network-guest`. */
  readonly mutedBy?: readonly string[];
}

/** Makes a button for an announcement; undefined when the readers of that chat may not press it. */
export type AnnounceButton = (
  label: string,
  command: string,
  args: Readonly<Record<string, string>>,
  style?: Action['style'],
) => Action | undefined;

/** What each feature area contributes to the running bot (built by the composition root). */
import type { Clock, Scheduler } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Db, Migration } from '../core/db.ts';
import type { DeadlineStore, DeadlineWorker } from '../core/deadlines.ts';
import type { CatalogueFragment, Language, MessageKey, Messages, Translate } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import type { Action, OutMessage } from '../core/outmessage.ts';
import type { AnyCommand } from '../handlers/command.ts';
import type { Pipeline, PipelineHooks } from '../handlers/pipeline.ts';
import type { CommandRegistry } from '../handlers/registry.ts';
import type { AccessControl } from '../permissions/access.ts';
import type { Permissions } from '../permissions/open.ts';
import type { ActionTokens } from '../permissions/action-tokens.ts';
import type { AuditLog } from '../permissions/audit.ts';
import type { StatusSection } from '../handlers/builtin/status-section.ts';
import type { AlertSource, Condition, Severity } from '../alerts/condition.ts';
import type { Poller } from '../services/poller.ts';
import type { RestoreCheck } from '../alerts/restore.ts';
import type { DigestInput } from '../alerts/digest.ts';
import type { KnownDevice } from '../handlers/devices/seed.ts';
import type { Role } from '../permissions/roles.ts';
import type { DemoBackend } from '../demo/index.ts';

/** A backend's polled state plus the pure rules that turn it into alert conditions. */
export interface AlertFeed<T = unknown> {
  /** Backend name, e.g. 'nut', 'proxmox', 'omv' (its reachability is a condition of its own). */
  readonly backend: string;
  readonly poller: Poller<T>;
  /** Pure rules: the latest good snapshot value → the conditions that hold now. */
  readonly rules: (value: T, now: number) => readonly Condition[];
}

/** A household known before the first start (demo mode): people to enrol, devices to assign to them. */
export interface HouseholdSeed {
  readonly people: readonly { readonly identity: string; readonly displayName: string; readonly role: Role }[];
  readonly devices: readonly KnownDevice[];
}

/** Shared things every module factory may use. No globals: everything comes through here. */
export interface WiringContext {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  /** Timers on the same time as `clock` (a ManualClock in tests). */
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly messages: Messages;
  /** True in demo mode (simulated homelab). */
  readonly demo: boolean;
  /** A household known before the first start (demo mode): its devices are recorded with their owners. */
  readonly household?: HouseholdSeed;
  /**
   * Sends a message to a chat (`telegram:<chatId>`, `discord:<channelId>`, `console:main`) or to a
   * person's private chat (`telegram:<userId>` is also their private chat id) through the outbox,
   * rendered in that chat's language. Never throws; delivery is retried.
   */
  notify(destination: string, render: (t: Translate) => OutMessage, dedupKey?: string): void;
  /** Backend changes to undo at a time: areas register their kinds with the one shared worker. */
  readonly deadlines: { readonly store: DeadlineStore; readonly worker: DeadlineWorker };
  /** The root's permission services and late-bound references (registry and pipeline exist after modules). */
  readonly shared?: {
    readonly access: AccessControl;
    /** The permission stores and the guarded changes over them. */
    readonly permissions: Permissions;
    readonly audit: AuditLog;
    readonly tokens: ActionTokens;
    registry(): CommandRegistry;
    pipeline(): Pipeline;
    /** The Telegram bot's @username once connected (invite deep links). */
    telegramUsername(): string | undefined;
  };
  /**
   * Announces something to the chats whose alert bindings take `route.source` (new devices),
   * rendered per chat in its language; `button` makes a token for that chat that anyone there
   * may press (the pipeline re-checks the presser's permission). Absent without alerting.
   */
  announce?(route: AnnounceRoute, render: (t: Translate, button: AnnounceButton, lang: Language) => OutMessage): void;
  /** Demo mode only: plays a scenario on the simulated homelab (`power-cut`, `disk-fail`…); false when no fake can. */
  readonly simulate?: (scenario: string) => boolean;
}

/** One feature area: its commands, /status lines, and background work. */
export interface FeatureModule {
  readonly name: string;
  readonly commands: readonly AnyCommand[];
  readonly statusSections?: readonly StatusSection[];
  /** Lines also listed in /alerts while they are not ok (paused devices). */
  readonly alertsSections?: readonly StatusSection[];
  /** Polled state + alert rules; the alert engine subscribes to each poller. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly alertFeeds?: readonly AlertFeed<any>[];
  /** Starts pollers and workers (after the adapters are up). */
  start?(): void | Promise<void>;
  /** Behaviour plugged into the pipeline's steps (the permissions area's "ask an admin" on denial). */
  readonly pipelineHooks?: PipelineHooks;
  /** Told the first time a stranger writes (the permissions area notifies the owner). */
  onUnknownUser?(identity: string, displayName: string): void;
  /** Health gates for the power-restore report (RAID and shares, Nextcloud, Pi-hole…). */
  readonly restoreChecks?: readonly RestoreCheck[];
  /** This area's part of the morning digest, from its latest snapshot (never slow). */
  readonly digestInput?: () => Partial<DigestInput>;
  /** The hypervisor's guests from its cached snapshot, for /maintenance targets (`docker (CT 101)`). */
  readonly guests?: () => readonly { readonly vmid: number; readonly name: string; readonly label: string }[];
  /** Extra /mute targets this area understands (e.g. `network-guest`). */
  readonly muteTargets?: readonly string[];
  /** Completion sources named by ArgDef.autocomplete ('guest', 'torrent', 'domain'…): values from cached state, fast. */
  readonly completions?: Readonly<Record<string, () => readonly string[] | Promise<readonly string[]>>>;
  /** Stops them; called on shutdown before the database closes, at the same time as every other module's stop (no order among modules). */
  stop?(): Promise<void>;
}

/** A backend an area polls, as alerts name it (its feed's `backend`). */
export interface BackendInfo {
  /** Message key of its household name in alerts ("UPS" for `nut`). */
  readonly labelKey: MessageKey;
  /** The backend it runs on: while that one is unreachable, this one's alerts are suppressed. */
  readonly runsOn?: string;
  /** It is reached over the internet (the off-site copy): its alerts are held while the WAN is down. */
  readonly needsInternet?: boolean;
}

/**
 * Everything one area contributes, in one object. The composition root lists descriptors once
 * (src/wiring/areas.ts); the message catalogue, migrations, modules and alert dependencies
 * derive from that list.
 */
export interface AreaDescriptor<M extends FeatureModule = FeatureModule> {
  /** The area's one id: its folders (`handlers/<id>/`), message prefix and permission prefix. */
  readonly id: string;
  /**
   * Parts built by this area's module that keep their own folder and prefixes because they are
   * a subject of their own (`devices` in the router area: handlers/devices/, `devices.` keys).
   */
  readonly parts?: readonly string[];
  readonly messages: readonly CatalogueFragment[];
  /** Its tables, applied at start whether or not the area is configured (ids `<prefix>-NNNN-…`). */
  readonly migrations?: readonly Migration[];
  /** The config sections it reads (paths such as `nut` or `alerts.offsite`); absent ones switch it off. */
  readonly configSections: readonly string[];
  /** The alert families its rules raise (a subset of ALERT_SOURCES). */
  readonly alertSources?: readonly AlertSource[];
  /** Its backends by the name its alert feeds use. */
  readonly backends?: Readonly<Record<string, BackendInfo>>;
  /**
   * Demo mode's simulated backend for this area, loaded only in demo mode:
   * `() => import('../demo/<x>-backend.ts').then((m) => m.<x>DemoBackend)` (a dynamic import, so the
   * fakes stay out of what a real setup loads). Absent when the area polls no backend.
   */
  readonly demo?: () => Promise<DemoBackend>;
  /**
   * Loads the area's module factory, called only when one of `configSections` is present:
   * `() => import('./<id>-module.ts').then((m) => m.<id>Module)` (a dynamic import, so an area that
   * is not configured is never read or parsed at start-up).
   */
  readonly load: () => Promise<ModuleFactory<M>>;
}

/** Builds an area's running module, or undefined when its config is absent. */
export type ModuleFactory<M extends FeatureModule = FeatureModule> = (ctx: WiringContext) => M | undefined;
