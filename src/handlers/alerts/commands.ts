/** /alerts, /mute, /unmute, the alert buttons (ack, snooze), /powercut and the demo's /simulate. */
import type { Block, OutMessage } from '../../core/outmessage.ts';
import { textMessage } from '../../core/outmessage.ts';
import type { StatusSection } from '../builtin/status-section.ts';
import type { PowerCutOrchestrator } from '../../alerts/powercut.ts';
import type { AlertService } from '../../alerts/service.ts';
import { parseDeliveryError } from '../../core/delivery.ts';
import { chatAddress } from '../../core/chat-address.ts';
import type { MessageKey, Translate } from '../../core/i18n.ts';
import type { Result } from '../../core/errors.ts';
import { serviceErrorReason } from '../replies.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import { causeText } from './causes.ts';
import { maintenanceCommands, maintenanceSection, type MaintenanceDeps } from './maintenance.ts';
import { formatTime } from '../../core/time-format.ts';
import { stateIcon } from '../../core/state-icon.ts';

/** A delivery error as the reader sees it: the bot's own in their language, a platform's in its words. */
function deliveryError(t: Translate, error: string): string {
  const coded = parseDeliveryError(error);
  if (!coded) return error;
  return t(coded.code === 'no-chat' ? 'alerts.list.noChat' : 'alerts.list.notConnected', { platform: coded.platform });
}

/** The scenarios the demo's /simulate knows. */
export const SIMULATIONS = [
  'power-cut',
  'power-back',
  'disk-fail',
  'disk-replaced',
  'backup-fail',
  'offsite-stale',
  'cloud-maintenance',
  'new-device',
] as const;

/** What /alerts, /ack, /mute, /simulate and /maintenance work on: the alert service and the other areas' parts. */
export interface AlertCommandDeps {
  readonly service: AlertService;
  /** Sources and backend names /mute accepts. */
  readonly muteTargets: () => readonly string[];
  readonly timezone: string;
  /** Other areas' lines shown in /alerts while not ok (device pauses). */
  readonly alsoShown?: () => readonly StatusSection[];
  readonly powerCut?: PowerCutOrchestrator;
  /** Demo only: drives the simulated homelab; false when no fake can play the scenario. */
  readonly simulate?: (scenario: string) => boolean;
  /** Refreshes every alert feed now (so /simulate does not wait for the next poll). */
  readonly refreshFeeds: () => Promise<void>;
  /** How long /simulate waits for the alerts to be delivered (default 20 s). */
  readonly simulateTimeoutMs?: number;
  /** Maintenance windows (/maintenance, and their lines and [End now] buttons in /alerts). */
  readonly maintenance?: MaintenanceDeps;
  /** Reads one polled backend again now (the restore report's [Check again]); undefined when none is polled by that name. */
  readonly recheck?: (backend: string) => Promise<Recheck | undefined>;
  /** A known person's name when the destination is their private chat (their account id is theirs alone). */
  readonly personOf?: (destination: string) => string | undefined;
}

/** A backend read again: its household name, and whether it answered. */
export interface Recheck {
  /** Message key of its household name; absent: it is named by its id. */
  readonly labelKey?: MessageKey;
  readonly result: Result<void>;
}

/** Builds the alert commands. */
export function alertCommands(deps: AlertCommandDeps): AnyCommand[] {
  const { service } = deps;
  /** Where an undelivered message was going, as anyone reading /alerts (a group too) may see it: a person's chat by name. */
  const shownDestination = (t: Translate, destination: string): string => {
    const name = deps.personOf?.(destination);
    return name !== undefined ? t('alerts.list.privateChatOf', { name }) : destination;
  };

  const list = defineCommand({
    name: 'alerts',
    group: 'alerts',
    summaryKey: 'alerts.list.summary',
    args: {},
    permission: 'alerts.status.read',
    async run(ctx): Promise<OutMessage> {
      const now = ctx.now();
      const time = (ms: number): string => formatTime(ms, ctx.lang, deps.timezone, now);
      const blocks: Block[] = [];
      const active = service.active();
      if (active.length === 0) blocks.push({ kind: 'text', text: ctx.t('alerts.list.none') });
      else {
        blocks.push({ kind: 'text', text: ctx.t('alerts.list.active', { count: active.length }) });
        blocks.push({
          kind: 'list',
          items: active.map((a) => {
            const extra = [
              a.ackBy ? ctx.t('alerts.list.acked', { who: a.ackBy }) : undefined,
              a.snoozedUntil && a.snoozedUntil > now ? ctx.t('alerts.list.snoozed', { until: time(a.snoozedUntil) }) : undefined,
              a.heldBy ? causeText(ctx.t, a.heldBy, time) : undefined,
            ].filter(Boolean);
            const line = ctx.t('alerts.list.item', {
              icon: stateIcon(a.severity),
              summary: ctx.t(a.summaryKey, a.params),
              since: time(a.raisedAt),
            });
            return extra.length ? `${line} (${extra.join(', ')})` : line;
          }),
        });
      }
      const held = service.held();
      if (held.length) {
        blocks.push(
          { kind: 'text', text: ctx.t('alerts.list.held', { count: held.length }) },
          {
            kind: 'list',
            items: held.map((a) =>
              ctx.t('alerts.list.heldItem', { summary: ctx.t(a.summaryKey, a.params), cause: causeText(ctx.t, a.heldBy!, time) }),
            ),
          },
        );
      }
      const windows = deps.maintenance ? maintenanceSection(ctx, deps.maintenance) : { blocks: [], actions: [] };
      blocks.push(...windows.blocks);
      const mutes = service.mutes();
      if (mutes.length) {
        blocks.push(
          { kind: 'text', text: ctx.t('alerts.list.mutes') },
          { kind: 'list', items: mutes.map((m) => ctx.t('alerts.list.mute', { target: m.target, until: time(m.until), who: m.by })) },
        );
      }
      const waiting = service.outbox.list(['pending', 'held']).filter((r) => r.status === 'held' || r.attempts > 0);
      if (waiting.length) {
        blocks.push(
          { kind: 'text', text: ctx.t('alerts.list.undelivered', { count: waiting.length }) },
          {
            kind: 'list',
            items: waiting.slice(0, 10).map((r) =>
              r.status === 'held'
                ? ctx.t('alerts.list.heldRow', { destination: shownDestination(ctx.t, r.destination), until: time(r.releaseAt ?? now) })
                : ctx.t('alerts.list.pendingRow', {
                    destination: shownDestination(ctx.t, r.destination),
                    attempts: r.attempts,
                    next: time(r.nextAttemptAt),
                    error: r.lastError ? ` — ${deliveryError(ctx.t, r.lastError)}` : '',
                  }),
            ),
          },
        );
      }
      const dead = service.outbox.list(['dead']);
      if (dead.length) {
        blocks.push(
          { kind: 'text', text: ctx.t('alerts.list.dead', { count: dead.length }) },
          {
            kind: 'list',
            items: dead.slice(-10).map((r) =>
              ctx.t('alerts.list.deadRow', {
                destination: shownDestination(ctx.t, r.destination),
                attempts: r.attempts,
                error: deliveryError(ctx.t, r.lastError ?? '?'),
              }),
            ),
          },
        );
      }
      for (const section of deps.alsoShown?.() ?? []) {
        const line = await section.read(ctx.t, now);
        if (line.level !== 'ok') blocks.push({ kind: 'text', text: `${ctx.t(section.labelKey)}: ${line.text}` });
      }
      if (deps.powerCut && deps.powerCut.state !== 'idle')
        blocks.push({ kind: 'text', text: ctx.t('alerts.list.powercut', { state: ctx.t(`alerts.pc.state.${deps.powerCut.state}`) }) });
      const worst = active.some((a) => a.severity === 'critical') ? 'critical' : active.length || dead.length ? 'warning' : 'success';
      return {
        title: ctx.t('alerts.list.title'),
        severity: worst,
        blocks,
        ...(windows.actions.length ? { actions: windows.actions } : {}),
      };
    },
  });

  const targetArg = arg.string({ descriptionKey: 'alerts.mute.source', maxLength: 40, pattern: /^[a-z0-9_-]+$/i });
  const checkTarget = (target: string): string | undefined => {
    const known = deps.muteTargets();
    return known.includes(target.toLowerCase()) ? target.toLowerCase() : undefined;
  };

  const mute = defineCommand({
    name: 'mute',
    group: 'alerts',
    summaryKey: 'alerts.mute.summary',
    args: { source: targetArg, duration: arg.duration({ descriptionKey: 'alerts.mute.duration', minMs: 60_000, maxMs: 30 * 86_400_000 }) },
    permission: 'alerts.mute.set',
    mutates: true,
    async run(ctx, { source, duration }) {
      const target = checkTarget(source);
      if (!target)
        return textMessage(ctx.t('alerts.mute.unknown', { target: source, choices: deps.muteTargets().join(', ') }), {
          severity: 'warning',
        });
      const m = service.mute(target, duration, ctx.principal.displayName);
      return textMessage(ctx.t('alerts.mute.done', { target, until: formatTime(m.until, ctx.lang, deps.timezone, ctx.now()) }), {
        severity: 'success',
      });
    },
  });

  const unmute = defineCommand({
    name: 'unmute',
    group: 'alerts',
    summaryKey: 'alerts.unmute.summary',
    args: { source: targetArg },
    permission: 'alerts.mute.set',
    mutates: true,
    async run(ctx, { source }) {
      const target = source.toLowerCase();
      const lifted = service.unmute(target);
      if (!lifted) ctx.noChange();
      return textMessage(ctx.t(lifted ? 'alerts.unmute.done' : 'alerts.unmute.none', { target }));
    },
  });

  const keyArg = arg.string({ descriptionKey: 'alerts.ack.key', maxLength: 200, pattern: /^[\w:.@/-]+$/ });
  const ack = defineCommand({
    name: 'alert-ack',
    group: 'alerts',
    summaryKey: 'alerts.ack.summary',
    args: { key: keyArg },
    permission: 'alerts.alert.ack',
    mutates: true,
    hidden: true,
    buttonOnly: true,
    async run(ctx, { key }) {
      const r = service.acknowledge(key, ctx.principal.displayName);
      if (r !== 'ok') ctx.noChange();
      return textMessage(ctx.t(r === 'ok' ? 'alerts.ack.done' : r === 'already' ? 'alerts.ack.already' : 'alerts.ack.gone'), {
        ephemeral: true,
      });
    },
  });

  const snooze = defineCommand({
    name: 'alert-snooze',
    group: 'alerts',
    summaryKey: 'alerts.snooze.summary',
    args: { key: keyArg, duration: arg.duration({ descriptionKey: 'alerts.snooze.duration', minMs: 60_000, maxMs: 7 * 86_400_000 }) },
    permission: 'alerts.alert.snooze',
    mutates: true,
    hidden: true,
    buttonOnly: true,
    async run(ctx, { key, duration }) {
      const r = service.snooze(key, duration, ctx.principal.displayName);
      if (r !== 'ok') return textMessage(ctx.t('alerts.ack.gone'), { ephemeral: true });
      return textMessage(ctx.t('alerts.snooze.done', { until: formatTime(ctx.now() + duration, ctx.lang, deps.timezone, ctx.now()) }), {
        ephemeral: true,
      });
    },
  });

  const recheck = defineCommand({
    name: 'alert-recheck',
    group: 'alerts',
    summaryKey: 'alerts.recheck.summary',
    args: { backend: arg.string({ descriptionKey: 'alerts.recheck.backend', maxLength: 40, pattern: /^[a-z0-9_-]+$/ }) },
    permission: 'alerts.status.read',
    hidden: true,
    buttonOnly: true,
    async run(ctx, { backend }) {
      const r = await deps.recheck?.(backend);
      if (!r) return textMessage(ctx.t('alerts.recheck.gone'), { severity: 'warning' });
      const what = r.labelKey ? ctx.t(r.labelKey) : backend;
      return r.result.ok
        ? textMessage(ctx.t('alerts.recheck.up', { what }), { severity: 'success' })
        : textMessage(ctx.t('alerts.recheck.down', { what, detail: serviceErrorReason(ctx.t, r.result.error) }), { severity: 'warning' });
    },
  });

  const powercut = defineCommand({
    name: 'powercut',
    group: 'alerts',
    summaryKey: 'alerts.powercut.summary',
    args: { now: arg.choice(['yes', 'no'] as const, { descriptionKey: 'alerts.powercut.now', required: false }) },
    permission: 'ups.power.shutdown',
    mutates: true,
    // `/powercut yes` is the typed confirmation; without it the question says what would happen.
    destructive: (a) => a.now === undefined,
    confirmKey: 'alerts.powercut.confirm',
    async preflight(ctx, { now }) {
      if (now === 'no') return textMessage(ctx.t('pipeline.cancelled'));
      if (!deps.powerCut) return textMessage(ctx.t('alerts.powercut.disabled'), { severity: 'warning' });
      if (deps.powerCut.state === 'running') return textMessage(ctx.t('alerts.powercut.busy'));
      const { dryRun, shutdownOrder, shutdownNode } = deps.powerCut.settings;
      const guests = deps.maintenance?.guests() ?? [];
      const label = (vmid: number): string => guests.find((g) => g.vmid === vmid)?.label ?? ctx.t('alerts.pc.guest', { vmid });
      const steps = shutdownOrder.length ? shutdownOrder.map(label) : [ctx.t('alerts.powercut.order.guests')];
      if (shutdownNode) steps.push(ctx.t('alerts.powercut.order.node'));
      return { confirmParams: { order: steps.join(' → '), dryRun: dryRun ? ctx.t('alerts.powercut.dryRunNote') : '' } };
    },
    async run(ctx) {
      if (!deps.powerCut) return textMessage(ctx.t('alerts.powercut.disabled'), { severity: 'warning' });
      if (deps.powerCut.state === 'running') return textMessage(ctx.t('alerts.powercut.busy'));
      // Each hypervisor call of the run is audited under this person, as their own.
      return deps.powerCut.trigger({ by: 'person', identity: ctx.principal.identity, chat: chatAddress(ctx.chat) })
        ? textMessage(ctx.t('alerts.powercut.started'), { severity: 'warning' })
        : textMessage(ctx.t('alerts.powercut.disabled'), { severity: 'warning' });
    },
  });

  const commands: AnyCommand[] = [
    list,
    mute,
    unmute,
    ack,
    snooze,
    recheck,
    powercut,
    ...(deps.maintenance ? maintenanceCommands(deps.maintenance) : []),
  ];
  const simulateFn = deps.simulate;
  if (simulateFn) {
    commands.push(
      defineCommand({
        name: 'simulate',
        group: 'alerts',
        summaryKey: 'alerts.simulate.summary',
        args: { what: arg.choice(SIMULATIONS, { descriptionKey: 'alerts.simulate.what' }) },
        permission: 'demo.simulate.run',
        mutates: true,
        async run(ctx, { what }) {
          // Record the starting state first, so the change reads as news, not as "present at start".
          await deps.refreshFeeds();
          const before = service.outbox.lastId();
          if (!simulateFn(what)) return textMessage(ctx.t('alerts.simulate.unsupported', { what }), { severity: 'warning' });
          const timeoutMs = deps.simulateTimeoutMs ?? 20_000;
          // Answer only once what the change caused has reached the chats, so the alert reads first.
          const delivered = await waitUntil(async () => {
            await deps.refreshFeeds();
            const rows = service.outbox.since(before);
            return rows.length > 0 && rows.every((r) => r.status !== 'pending');
          }, timeoutMs);
          return delivered
            ? textMessage(ctx.t('alerts.simulate.done', { what }), { severity: 'success' })
            : textMessage(ctx.t('alerts.simulate.nothing', { what, seconds: Math.round(timeoutMs / 1000) }), { severity: 'warning' });
        },
      }),
    );
  }
  return commands;
}

/** Polls `probe` every 200 ms until true or the time is up (real time: demo waits on real backends). */
async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
