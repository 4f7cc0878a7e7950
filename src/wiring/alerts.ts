/**
 * The alerts area, wired: engine + outbox + delivery worker + renderer + commands, the
 * engine subscribed to every module's alert feeds, power-cut orchestration on the UPS feed,
 * and the daily digest. Created by the composition root BEFORE the modules (ctx.notify goes
 * through its outbox) and turned into a FeatureModule after them (it needs their feeds).
 */
import { CONSOLE_IDENTITY } from '../bot/console/adapter.ts';
import { parseTelegramAddress } from '../bot/telegram/address.ts';
import type { ChatAdapter } from '../bot/adapter.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Db } from '../core/db.ts';
import { err, ok, reasonedError, type Result } from '../core/errors.ts';
import type { Language, Messages, Translate } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import type { OutMessage } from '../core/outmessage.ts';
import type { AlertActions } from '../alerts/actions.ts';
import { ALERT_SOURCES } from '../core/config-schema.ts';
import { buildDigest, mergeDigestInputs, scheduleDigest, type DigestInput, type DigestSchedule } from '../alerts/digest.ts';
import { connectFeed } from '../alerts/feed.ts';
import { OutboxWorker } from '../alerts/worker.ts';
import { codedDeliveryError } from '../core/delivery.ts';
import { PowerCutOrchestrator, powerCutReporterFor, type PowerController } from '../alerts/powercut.ts';
import { PowerCutStore } from '../alerts/powercut-journal.ts';
import { PowerCutFold } from '../alerts/powercut-fold.ts';
import { PowerRestore } from '../alerts/restore.ts';
import { auditedPowerController } from './audited-power.ts';
import { maintenanceHold, powerCutHold, wanHold } from '../alerts/holds.ts';
import {
  MaintenanceWindows,
  maintenanceDeadlines,
  maintenanceEndedMessage,
  openWindows,
  resolveTarget,
  type MaintenanceDeps,
} from '../handlers/alerts/maintenance.ts';
import { EndedOccurrences, endedOccurrenceDeadlines, RecurringWindows } from '../handlers/alerts/recurring-windows.ts';
import { WAN_DOWN_KEY } from '../services/routeros/alerts.ts';
import type { Binding } from '../alerts/routing.ts';
import { AlertService } from '../alerts/service.ts';
import { alertCommands } from '../handlers/alerts/commands.ts';
import { createAlertRenderer } from '../handlers/alerts/render.ts';
import type { AccessControl } from '../permissions/access.ts';
import type { ActionTokens } from '../permissions/action-tokens.ts';
import { parseAddress, type ChatRef } from '../core/chat-address.ts';
import { lowBattery, onBattery, type UpsState } from '../services/nut/state.ts';
import type { Poller } from '../services/poller.ts';
import type { AnnounceButton, BackendInfo, FeatureModule, WiringContext } from './module.ts';

/** What the alerting wiring builds from: the root's config, storage, time, log, messages and permission services, plus late-bound adapters. */
export interface AlertingDeps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly messages: Messages;
  readonly access: AccessControl;
  readonly tokens: ActionTokens;
  /** Every area's backends: household names for alerts, and what each runs on (from the area list). */
  readonly backends: ReadonlyMap<string, BackendInfo>;
  /** The chat adapters (filled in after the modules are built). */
  readonly adapters: () => readonly ChatAdapter[];
  /** The permission a command needs (late-bound: the registry is built after alerting). */
  readonly permissionOf: (command: string) => string | undefined;
}

/** The alerting core the composition root holds. */
export interface Alerting {
  readonly service: AlertService;
  readonly worker: OutboxWorker;
  /** WiringContext.notify: renders in the chat's language now and delivers through the outbox. */
  readonly notify: WiringContext['notify'];
  /** WiringContext.announce: routed by the bindings, rendered per chat. */
  readonly announce: NonNullable<WiringContext['announce']>;
  /** The FeatureModule: commands, feeds, power cut, digest; `modules` are the other areas. */
  module(
    ctx: WiringContext,
    modules: readonly FeatureModule[],
    powerController: PowerController | undefined,
    wakeNode?: () => Promise<Result<void>>,
  ): FeatureModule;
}

const BUTTON_TTL_MS = 7 * 86_400_000;
const PRUNE_AFTER_MS = 30 * 86_400_000;

/** Where a destination string points, as the permission layer names chats. */
export function chatOf(destination: string): ChatRef {
  const { platform, id } = parseAddress(destination) ?? { platform: 'console', id: destination };
  // A forum topic belongs to its supergroup: buttons and permissions are the chat's.
  if (platform === 'telegram') return { platform, id: parseTelegramAddress(id).chatId, kind: id.startsWith('-') ? 'group' : 'private' };
  if (platform === 'discord') return { platform, id, kind: 'group' };
  return { platform: 'console', id, kind: 'private' };
}

/** Builds the alerting core. */
export function createAlerting(deps: AlertingDeps): Alerting {
  const { config, db, clock, messages, access, tokens } = deps;
  const log = deps.log.child({ area: 'alerts' });
  const bindingLanguage = new Map<string, Language>();
  const bindings: Binding[] = config.alerts.bindings.map((b) => {
    if (b.language) bindingLanguage.set(b.chat, b.language);
    return {
      destination: b.chat,
      ...(b.sources ? { sources: b.sources } : {}),
      minSeverity: b.minSeverity,
      ...(b.quietHours ? { quietHours: { ...b.quietHours, timezone: config.timezone } } : {}),
    };
  });
  // A binding's language, else the person whose private chat it is (the console is its owner's), else the default.
  const languageOf = (destination: string): Language =>
    bindingLanguage.get(destination) ??
    access.languageOf(destination.startsWith('console:') ? CONSOLE_IDENTITY : destination) ??
    config.language;

  const late: { worker?: OutboxWorker } = {};
  const service = new AlertService({
    db,
    clock,
    log,
    bindings,
    timezone: config.timezone,
    engine: { debounceMs: config.alerts.debounceSeconds * 1000, renotifyMs: config.alerts.renotifyMinutes * 60_000 },
    onEnqueue: () => late.worker?.kick(),
  });

  // Built for the readers of that chat: a family group gets no button only an admin could press.
  const button = (destination: string, command: string, args: Record<string, string>): string | undefined => {
    const chat = chatOf(destination);
    // The console is one terminal whose reader is the console identity, whatever chat id it is bound as.
    const role = chat.platform === 'console' ? access.resolve(CONSOLE_IDENTITY)?.role : access.roleForChat(chat);
    const permission = deps.permissionOf(command);
    if (!role || !permission || !access.roleHolds(role, permission)) return undefined;
    return tokens.create({ command, args, chat, ttlMs: BUTTON_TTL_MS, oneShot: false });
  };
  const actions: AlertActions = {
    ack: (key, d) => button(d, 'alert-ack', { key }),
    snooze1h: (key, d) => button(d, 'alert-snooze', { key, duration: '1h' }),
    snooze1d: (key, d) => button(d, 'alert-snooze', { key, duration: '1d' }),
    obvious: (action, d) => button(d, action.command, { ...action.args }),
  };
  const worker = (late.worker = new OutboxWorker({
    db,
    clock,
    log,
    maxAttempts: config.alerts.maxAttempts,
    maxAgeMs: config.alerts.maxAgeHours * 3_600_000,
    // Part of the bot's 10 s shutdown budget (see app.ts): hung sends stay pending for the next start.
    stopTimeoutMs: 3000,
    render: createAlertRenderer({
      messages,
      languageOf,
      actions,
      timezone: config.timezone,
      now: () => clock.now(),
      backendLabelKey: (b) => deps.backends.get(b)?.labelKey,
    }),
    async deliver(destination, message, editRef, meta) {
      const address = parseAddress(destination);
      const adapter = address && deps.adapters().find((a) => a.platform === address.platform);
      // A configured platform whose adapter is not built yet (Discord's is built once Telegram
      // polls) waits like an outage: rows queued before a restart must not die at start-up.
      if (address && !adapter && config[address.platform])
        return { ok: false, unreachable: true, error: codedDeliveryError('not-connected', address.platform) };
      if (!address || !adapter) return { ok: false, permanent: true, error: codedDeliveryError('no-chat', address?.platform ?? '?') };
      return adapter.deliver(address.id, message, editRef, meta ? { dedupKey: meta.dedupKey } : undefined);
    },
  }));

  const notify = (destination: string, render: (t: Translate) => OutMessage, dedupKey?: string): void => {
    try {
      service.send(destination, render(messages.forLanguage(languageOf(destination))), dedupKey);
    } catch (e) {
      log.error({ err: e, destination }, 'notification could not be queued');
    }
  };

  const announce: Alerting['announce'] = (route, render) => {
    try {
      service.announce(route, (destination) => {
        const lang = languageOf(destination);
        const chatButton: AnnounceButton = (label, command, args, style) => {
          const token = button(destination, command, { ...args });
          return token === undefined ? undefined : { label, token, ...(style ? { style } : {}) };
        };
        return render(messages.forLanguage(lang), chatButton, lang);
      });
    } catch (e) {
      log.error({ err: e, id: route.id }, 'announcement could not be queued');
    }
  };

  return {
    service,
    worker,
    notify,
    announce,
    module(ctx, modules, powerController, wakeNode) {
      const feeds = modules.flatMap((m) => m.alertFeeds ?? []);
      const backends = new Set(feeds.map((f) => f.backend));
      for (const f of feeds) {
        const host = deps.backends.get(f.backend)?.runsOn;
        connectFeed(
          f.poller,
          { backend: f.backend, rules: f.rules, ...(host && backends.has(host) ? { dependsOn: host } : {}) },
          service,
          log,
          () => clock.now(),
        );
      }

      let powerCut: PowerCutOrchestrator | undefined;
      let restoreRef: PowerRestore | undefined;
      const pc = config.alerts.powerCut;
      const ups = feeds.find((f) => f.backend === 'nut')?.poller as Poller<UpsState> | undefined;
      const journal = new PowerCutStore(db);
      const refreshFeeds = async (): Promise<void> => {
        await Promise.all(feeds.map((f) => f.poller.refresh()));
      };

      // Causes the rules cannot see: a power cut, the WAN down, maintenance windows.
      let onBatterySince: number | undefined;
      ups?.onRefresh((s) => {
        if (s.status === 'ok') onBatterySince = onBattery(s.value) ? (onBatterySince ?? clock.now()) : undefined;
      });
      service.addHoldSource(powerCutHold(() => journal.open()?.startedAt ?? journal.owed()?.startedAt ?? onBatterySince));
      service.addHoldSource(
        wanHold(
          (origin) => deps.backends.get(origin)?.needsInternet === true,
          () => {
            const r = service.store.record(WAN_DOWN_KEY);
            return r && r.state !== 'resolved' ? r.firstSeenAt : undefined;
          },
        ),
      );
      const windows = new MaintenanceWindows(ctx.deadlines.store);
      const guests = (): ReturnType<NonNullable<FeatureModule['guests']>> => modules.flatMap((m) => m.guests?.() ?? []);
      const recurring = new RecurringWindows(
        config.alerts.maintenance,
        config.timezone,
        (target) => resolveTarget(target, [...backends], guests()),
        new EndedOccurrences(ctx.deadlines.store),
      );
      ctx.deadlines.worker.register(endedOccurrenceDeadlines);
      ctx.deadlines.worker.register(
        maintenanceDeadlines((d) => {
          if (d.chat) notify(d.chat, (t) => maintenanceEndedMessage(t, d));
          void refreshFeeds().catch(() => undefined);
        }),
      );
      const maintenance: MaintenanceDeps = {
        windows,
        backends: () => [...backends],
        guests,
        timezone: config.timezone,
        refreshFeeds,
        recurring,
      };
      service.addHoldSource(
        maintenanceHold(
          (now) => openWindows(maintenance, now),
          (origin) => deps.backends.get(origin)?.runsOn,
        ),
      );

      if (pc?.enabled && ups) {
        const audit = ctx.shared?.audit;
        const controller =
          powerController && audit ? auditedPowerController(powerController, audit, clock) : (powerController ?? noHypervisor);
        powerCut = new PowerCutOrchestrator(
          { ...pc, guestTimeoutMs: pc.guestTimeoutSeconds * 1000 },
          controller,
          powerCutReporterFor(service),
          clock,
          log,
          { journal, delivered: (id) => waitDelivered(service, id, clock) },
        );
        // Backends and guests going away with the power: one message in the power cut's thread, and restore lines.
        const fold = new PowerCutFold(service, journal);
        for (const f of feeds) f.poller.onRefresh(() => fold.check());
        const restore = new PowerRestore({
          journal,
          controller,
          checks: () => modules.flatMap((m) => m.restoreChecks ?? []),
          order: pc.shutdownOrder,
          expected: config.proxmox?.expectedRunning ?? [],
          onMainsMs: pc.restore.onMainsMinutes * 60_000,
          guestTimeoutMs: pc.restore.guestTimeoutSeconds * 1000,
          folded: async (id) => {
            await refreshFeeds().catch(() => undefined);
            return fold.restoreLines(id);
          },
          ...(pc.restore.wakeOnLan && wakeNode
            ? {
                wake: {
                  send: wakeNode,
                  afterMs: pc.restore.wakeOnLan.afterMinutesOnMains * 60_000,
                  bootTimeoutMs: pc.restore.wakeOnLan.bootTimeoutMinutes * 60_000,
                },
              }
            : {}),
          send: (report, id) =>
            void service.notify(
              { kind: 'restore', report },
              { source: 'ups', severity: report.lines.some((l) => l.light === 'red') ? 'critical' : 'warning', id },
            ),
          clock,
          log,
        });
        restoreRef = restore;
        ups.onRefresh((s) => {
          if (s.status !== 'ok') return;
          restore.observe({ onBattery: onBattery(s.value), lowBattery: lowBattery(s.value) });
          powerCut!.observe({
            onBattery: onBattery(s.value),
            lowBattery: lowBattery(s.value),
            ...(s.value.charge !== undefined ? { charge: s.value.charge } : {}),
            ...(s.value.runtimeSeconds !== undefined ? { runtimeSeconds: s.value.runtimeSeconds } : {}),
          });
        });
      }

      let digest: DigestSchedule | undefined;
      let pruneTimer: NodeJS.Timeout | undefined;
      const sendDigest = (): void => {
        const input: DigestInput = mergeDigestInputs(modules.map((m) => m.digestInput?.() ?? {}));
        const held = service.held().flatMap((a) => (a.heldBy ? [{ summaryKey: a.summaryKey, params: a.params, cause: a.heldBy }] : []));
        const d = buildDigest(input, clock.now(), service.active().length, held);
        for (const chat of config.alerts.digest?.chats ?? [])
          service.sendNotice(chat, { kind: 'digest', digest: d }, `digest:${d.at}>${chat}`);
      };

      return {
        name: 'alerts',
        commands: alertCommands({
          service,
          timezone: config.timezone,
          alsoShown: () => modules.flatMap((m) => m.alertsSections ?? []),
          muteTargets: () => [...ALERT_SOURCES, ...backends, ...modules.flatMap((m) => m.muteTargets ?? [])],
          ...(powerCut ? { powerCut } : {}),
          ...(ctx.simulate ? { simulate: ctx.simulate } : {}),
          refreshFeeds,
          maintenance,
          // A person's identity is their private chat's address (telegram:<user id>, discord:<user id>).
          personOf: (destination) => access.resolve(destination)?.displayName,
          recheck: async (backend) => {
            const polled = feeds.filter((f) => f.backend === backend);
            if (polled.length === 0) return undefined;
            const failed = (await Promise.all(polled.map((f) => f.poller.refresh()))).find((s) => s.status === 'failed');
            const labelKey = deps.backends.get(backend)?.labelKey;
            return { ...(labelKey ? { labelKey } : {}), result: failed?.status === 'failed' ? err(failed.error) : ok(undefined) };
          },
        }),
        start() {
          worker.start();
          // Housekeeping: delivered rows older than a month go; dead letters stay until handled.
          const prune = (): void => void service.outbox.prune(clock.now() - PRUNE_AFTER_MS);
          prune();
          pruneTimer = setInterval(prune, 6 * 3_600_000);
          pruneTimer.unref();
          const d = config.alerts.digest;
          if (d && d.chats.length) digest = scheduleDigest(d.cron, config.timezone, sendDigest, log);
        },
        async stop() {
          if (pruneTimer) clearInterval(pruneTimer);
          digest?.stop();
          recurring.stop();
          await powerCut?.idle();
          await restoreRef?.idle();
          await worker.stop();
        },
      };
    },
  };
}

/** Used when no hypervisor module offers a PowerController: dry runs work, real runs report why not. */
const noHypervisor: PowerController = {
  shutdownGuest: async () => err(reasonedError('proxmox', 'rejected', 'not-configured', 'Proxmox is not configured')),
  waitStopped: async () => err(reasonedError('proxmox', 'rejected', 'not-configured', 'Proxmox is not configured')),
  shutdownNode: async () => err(reasonedError('proxmox', 'rejected', 'not-configured', 'Proxmox is not configured')),
};

/** How long the last power-cut message may take to leave before the hand-over goes ahead anyway. */
const LAST_WORD_WAIT_MS = 30_000;

/** Resolves once every copy of notice `id` has left the outbox, or after LAST_WORD_WAIT_MS. */
async function waitDelivered(service: AlertService, id: string, clock: Clock): Promise<void> {
  const deadline = clock.now() + LAST_WORD_WAIT_MS;
  // Bounded by the clock and by a count, so a stopped test clock cannot hold the shutdown.
  for (let i = 0; i < LAST_WORD_WAIT_MS / 250; i++) {
    if (service.outbox.undelivered(`${id}>`) === 0 || clock.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
