/**
 * Turns outbox payloads (alert events, groups, quiet-hours summaries, power-cut reports, the
 * digest) into OutMessages at delivery time, in the destination chat's language, asking the
 * injected AlertActions for fresh button tokens.
 */
import { formatDuration, formatTime } from '../../core/time-format.ts';
import type { Language, Messages, Params, Translate } from '../../core/i18n.ts';
import { textMessage, type Action, type Block, type MessageSeverity, type OutMessage } from '../../core/outmessage.ts';
import type { AlertActions } from '../../alerts/actions.ts';
import type { Digest, HeldAlert } from '../../alerts/digest.ts';
import type { OutboxPayload, Render } from '../../alerts/payload.ts';
import type { PowerCutStep } from '../../alerts/powercut.ts';
import type { Light, RestoreAction, RestoreLine, RestoreReport } from '../../alerts/restore.ts';
import type { AlertEvent, AlertView } from '../../alerts/types.ts';
import { formatDurationShort } from '../args.ts';
import { causeText } from './causes.ts';
import { stateIcon } from '../../core/state-icon.ts';

/** What rendering an alert for a chat needs: catalogues, the chat's language, buttons, time zone, backend names. */
export interface AlertRendererDeps {
  readonly messages: Messages;
  readonly languageOf: (destination: string) => Language;
  readonly actions: AlertActions;
  readonly timezone: string;
  /** Current time, for choosing "14:05" or "Mon 25 Nov 14:05". */
  readonly now: () => number;
  /** The engine's flap-damping stable time, for the "held until stable" footer (default 10 min). */
  readonly flapStableMinutes?: number;
  /** Message key of a backend's household name (`nut` → `ups.label`); default `<backend>.label`. */
  readonly backendLabelKey?: (backend: string) => string | undefined;
}

const SEVERITY: Record<AlertView['severity'], MessageSeverity> = { info: 'info', warning: 'warning', critical: 'critical' };
/** Params shown as labelled fields, in this order. */
const FIELDS = ['charge', 'runtime', 'load', 'progress', 'model', 'detail'] as const;

/** A failure as a line carries it: English detail, the named cause and its values. */
interface FailureLike {
  readonly detail?: string | number;
  readonly reason?: string | number;
  readonly reasonParams?: Readonly<Record<string, string>>;
}

/** Params that hold a moment as epoch ms. */
const TIME_PARAMS = ['last'] as const;

/** The most of a task log an alert carries (the folded quote fits one message with room to spare). */
const MAX_LOG_CHARS = 2_000;

/** Builds the renderer the OutboxWorker calls. */
export function createAlertRenderer(deps: AlertRendererDeps): Render {
  const { messages } = deps;
  return (payload, destination) => {
    const lang = deps.languageOf(destination);
    const t = messages.forLanguage(lang);
    const time = (ms: number): string => formatTime(ms, lang, deps.timezone, deps.now());
    // A backend by its household name in the chat's language (`nut` → "The UPS").
    const backendName = (b: string): string => {
      const key = deps.backendLabelKey?.(b) ?? `${b}.label`;
      return messages.has(key) ? t(key) : b;
    };
    // A known cause (network, SSH, not configured) reads in the chat's language instead of the client's English detail.
    const reasonText = (x: FailureLike): string | undefined => {
      const key = typeof x.reason === 'string' ? `error.reason.${x.reason}` : undefined;
      if (key && messages.has(key)) {
        const values: Params = { ...(x as Params), ...x.reasonParams };
        // A reason whose values did not travel with it reads in its words without them, never `{where}`.
        const bare = `${key}.bare`;
        const complete = messages.placeholders(key).every((name) => name in values);
        return !complete && messages.has(bare) ? t(bare) : t(key, values);
      }
      return x.detail === undefined ? undefined : String(x.detail);
    };
    const localDetail = (p: Params): Params => {
      const detail = reasonText(p);
      return detail === undefined ? p : { ...p, detail };
    };
    const params = (a: Pick<AlertView, 'params' | 'progress'>): Params => {
      const p: Record<string, string | number> = { ...a.params };
      if (typeof p.charge === 'number') p.charge = `${p.charge} %`;
      if (typeof p.load === 'number') p.load = `${p.load} %`;
      if (typeof p.runtime === 'number') p.runtime = formatDurationShort(p.runtime * 1000);
      if (a.progress !== undefined) p.progress = `${Math.round(a.progress)} %`;
      // A moment (epoch ms) reads in the household's zone and the reader's language.
      for (const k of TIME_PARAMS) if (typeof p[k] === 'number') p[k] = time(p[k]);
      Object.assign(p, localDetail(p));
      if (typeof p.backend === 'string') p.backend = backendName(p.backend);
      return p;
    };
    const summary = (a: Pick<AlertView, 'summaryKey' | 'params' | 'progress'>): string => t(a.summaryKey, params(a));
    const resolvedLine = (a: AlertView): string => {
      const derived = `${a.summaryKey}.resolved`;
      const key = a.resolvedKey && messages.has(a.resolvedKey) ? a.resolvedKey : messages.has(derived) ? derived : undefined;
      return key ? t(key, params(a)) : t('alerts.resolved', { summary: summary(a) });
    };
    const line = (e: AlertEvent): string =>
      e.kind === 'resolve' ? `✅ ${resolvedLine(e.alert)}` : `${stateIcon(e.alert.severity)} ${summary(e.alert)}`;

    const alertMessage = (e: AlertEvent): OutMessage => {
      const a = e.alert;
      if (e.kind === 'resolve') {
        const blocks: Block[] = [];
        if (e.durationMs !== undefined && e.durationMs > 0)
          blocks.push({ kind: 'text', text: t('alerts.resolved.after', { duration: formatDurationShort(e.durationMs) }) });
        if (e.reason === 'while-offline') blocks.push({ kind: 'text', text: t('alerts.resolved.whileOffline') });
        return { title: resolvedLine(a), severity: 'success', blocks };
      }
      const p = params(a);
      const fields = FIELDS.filter((f) => p[f] !== undefined && messages.has(`alerts.param.${f}`)).map((f) => ({
        label: t(`alerts.param.${f}`),
        value: String(p[f]),
      }));
      const blocks: Block[] = fields.length ? [{ kind: 'fields', fields }] : [];
      // The cause is in the title; the log stays folded behind its summary (no sideways scrolling on a phone).
      if (a.log) blocks.push({ kind: 'details', summary: t('alerts.log.summary'), text: a.log.slice(0, MAX_LOG_CHARS) });
      const footer = [t('alerts.footer.since', { time: time(a.raisedAt) })];
      if (a.atStart) footer.push(t('alerts.footer.atStart'));
      if (a.flapping) footer.push(t('alerts.footer.flapping', { minutes: deps.flapStableMinutes ?? 10 }));
      if (a.ackBy) footer.push(t('alerts.footer.acked', { who: a.ackBy, time: time(a.ackAt ?? e.at) }));
      if (a.snoozedUntil && a.snoozedUntil > e.at)
        footer.push(t('alerts.footer.snoozed', { who: a.snoozedBy ?? '?', time: time(a.snoozedUntil) }));
      const title =
        e.kind === 'renotify'
          ? t('alerts.renotify', { summary: summary(a) })
          : e.reason === 'escalated'
            ? t('alerts.escalated', { summary: summary(a) })
            : e.reason === 'after-mute'
              ? t('alerts.afterMute', { summary: summary(a) })
              : summary(a);
      const actions = buttons(a, destination, t);
      return { title, severity: SEVERITY[a.severity], blocks, footer: footer.join('\n'), ...(actions.length ? { actions } : {}) };
    };

    const buttons = (a: AlertView, dest: string, tr: Translate): Action[][] => {
      const rows: Action[][] = [];
      const mk = (label: string, token: string | undefined, style?: Action['style']): Action | undefined =>
        token ? { label, token, ...(style ? { style } : {}) } : undefined;
      if (!a.ackBy) {
        const row = [
          mk(tr('alerts.button.ack'), deps.actions.ack(a.key, dest), 'primary'),
          mk(tr('alerts.button.snooze1h'), deps.actions.snooze1h(a.key, dest)),
          mk(tr('alerts.button.snooze1d'), deps.actions.snooze1d(a.key, dest)),
        ].filter((x): x is Action => x !== undefined);
        if (row.length) rows.push(row);
      }
      if (a.action) {
        const b = mk(tr(a.action.labelKey), deps.actions.obvious(a.action, dest), 'danger');
        if (b) rows.push([b]);
      }
      return rows;
    };

    const render = (p: OutboxPayload): OutMessage => {
      switch (p.type) {
        case 'alert':
          return alertMessage(p.event);
        case 'group': {
          const worst = p.items.some((e) => e.kind !== 'resolve' && e.alert.severity === 'critical')
            ? 'critical'
            : p.items.some((e) => e.kind !== 'resolve')
              ? 'warning'
              : 'success';
          return {
            title: t('alerts.group.title', { count: p.items.length }),
            severity: worst,
            blocks: [{ kind: 'list', items: p.items.map(line) }],
          };
        }
        case 'summary': {
          const items = p.items.flatMap((i) =>
            i.type === 'alert' ? [line(i.event)] : i.type === 'group' ? i.items.map(line) : [render(i).title ?? ''],
          );
          return { title: t('alerts.summary.title', { count: items.length }), severity: 'info', blocks: [{ kind: 'list', items }] };
        }
        case 'offline': {
          const title = t('alerts.offline.title', { duration: formatDuration(p.until - p.since, lang) });
          if (p.active.length === 0)
            return { title, severity: 'success', blocks: [{ kind: 'text', text: t('alerts.offline.allClear', { count: p.events }) }] };
          const critical = p.active.some((e) => e.alert.severity === 'critical');
          return {
            title,
            severity: critical ? 'critical' : 'warning',
            blocks: [
              { kind: 'text', text: t('alerts.offline.active') },
              { kind: 'list', items: p.active.map(line) },
            ],
          };
        }
        case 'notice':
          if (p.notice.kind === 'powercut') return powerCutMessage(p.notice.step, t, time, reasonText);
          if (p.notice.kind === 'restore')
            return restoreMessage(p.notice.report, t, time, (a) => deps.actions.obvious(a, destination), backendName, localDetail);
          if (p.notice.kind === 'powercut-folded') {
            const names = p.notice.folded.items.map((i) => i.guest ?? backendName(i.backend ?? i.key));
            return textMessage(t('alerts.pc.folded', { names: names.join(', ') }), { severity: 'warning' });
          }
          return digestMessage(p.notice.digest, t, time, (h) =>
            t('alerts.list.heldItem', {
              summary: summary(h),
              cause: causeText(t, h.cause, time),
            }),
          );
        case 'message':
          return p.message;
      }
    };
    return render(payload);
  };
}

/** "docker (CT 101), then nas (VM 100), then proxmox1" (a group stops together: "a and b"). */
function sequenceText(t: Translate, sequence: readonly (readonly string[])[] | undefined, node: string | undefined): string {
  const parts = (sequence ?? []).filter((g) => g.length).map((g) => g.join(` ${t('alerts.pc.and')} `));
  if (node) parts.push(node);
  return parts.join(`, ${t('alerts.pc.then')} `);
}

const LIGHT: Record<Light, string> = { green: stateIcon('ok'), amber: stateIcon('warning'), red: stateIcon('critical') };

/** The restore report: outage figures, what was shut down, then one line per gate, buttons for the red ones. */
function restoreMessage(
  r: RestoreReport,
  t: Translate,
  time: (ms: number) => string,
  token: (a: RestoreAction) => string | undefined,
  backendName: (backend: string) => string,
  localDetail: (p: Params) => Params,
): OutMessage {
  const red = r.lines.some((l) => l.light === 'red');
  const blocks: Block[] = [
    ...(r.dryRun ? [{ kind: 'text' as const, text: t('alerts.restore.dryRun') }] : []),
    {
      kind: 'text',
      text: t('alerts.restore.outage', {
        start: time(r.outageStart),
        duration: formatDurationShort(Math.max(0, r.outageEnd - r.outageStart)),
      }),
    },
  ];
  const fields = [];
  if (r.lowestCharge !== undefined) fields.push({ label: t('alerts.restore.lowestCharge'), value: `${r.lowestCharge} %` });
  if (r.lowestRuntimeSeconds !== undefined)
    fields.push({ label: t('alerts.restore.lowestRuntime'), value: formatDurationShort(r.lowestRuntimeSeconds * 1000) });
  if (fields.length) blocks.push({ kind: 'fields', fields });
  if (r.handedOverAt !== undefined)
    blocks.push({
      kind: 'text',
      text: t('alerts.restore.shutDown', { sequence: sequenceText(t, r.sequence, r.node), time: time(r.handedOverAt) }),
    });
  // A guest the hypervisor could not name yet is worded by its number ("Guest 101").
  // A backend is named in the chat's language (a folded "Pi-hole is back").
  const params = (l: RestoreLine): RestoreLine['params'] =>
    l.params.guest === undefined && l.params.vmid !== undefined
      ? { ...l.params, guest: t('alerts.pc.guest', { vmid: l.params.vmid }) }
      : typeof l.params.backend === 'string'
        ? { ...l.params, what: backendName(l.params.backend) }
        : l.params;
  blocks.push({ kind: 'list', items: r.lines.map((l) => `${LIGHT[l.light]} ${t(l.key, localDetail(params(l)))}`) });
  const actions: Action[][] = r.lines.flatMap((l) => {
    if (l.light !== 'red' || !l.action) return [];
    const tk = token(l.action);
    return tk
      ? [
          [
            {
              label: t(l.action.labelKey, { target: params(l).guest ?? params(l).what ?? l.action.args.guest ?? '' }),
              token: tk,
              style: 'primary' as const,
            },
          ],
        ]
      : [];
  });
  return {
    title: red ? t('alerts.restore.titleRed') : t('alerts.restore.titleGreen'),
    severity: red ? 'warning' : 'success',
    blocks,
    ...(actions.length ? { actions } : {}),
  };
}

function powerCutMessage(
  s: PowerCutStep,
  t: Translate,
  time: (ms: number) => string,
  reasonText: (x: FailureLike) => string | undefined,
): OutMessage {
  const sequence = (): string => sequenceText(t, s.sequence, s.node);
  const head =
    s.phase === 'armed'
      ? t('alerts.pc.armed', { time: time(s.deadline ?? 0) })
      : s.phase === 'running'
        ? t('alerts.pc.running', { trigger: t(`alerts.pc.trigger.${s.trigger ?? 'manual'}`) })
        : s.phase === 'handover'
          ? t('alerts.pc.handover', { sequence: sequence() })
          : s.phase === 'failed'
            ? t('alerts.pc.failed', { detail: [s.failedCall, reasonText(s) ?? '?'].filter(Boolean).join(': ') })
            : t(`alerts.pc.${s.phase}`);
  const blocks: Block[] = [];
  if (s.dryRun && s.phase !== 'cancelled') blocks.push({ kind: 'text', text: t('alerts.pc.dryRun') });
  if (s.sequence && s.phase !== 'handover' && s.phase !== 'failed')
    blocks.push({ kind: 'text', text: t('alerts.pc.plan', { sequence: sequence() }) });
  if (s.self) blocks.push({ kind: 'text', text: t('alerts.pc.self', { guest: s.self }) });
  if (s.calls?.length && s.phase !== 'handover')
    blocks.push({ kind: 'text', text: t('alerts.pc.calls') }, { kind: 'code', text: s.calls.join('\n') });
  if (s.lines.length && !s.calls) {
    blocks.push({
      kind: 'fields',
      fields: s.lines.map((l) => ({
        label: l.target === 'node' ? t('alerts.pc.node') : (l.name ?? t('alerts.pc.guest', { vmid: l.vmid ?? '?' })),
        value: t(`alerts.pc.status.${l.status}`, { detail: reasonText(l) ?? '' }),
      })),
    });
  }
  const severity: MessageSeverity =
    s.phase === 'cancelled' || s.phase === 'finished' ? 'success' : s.phase === 'aborted' ? 'warning' : 'critical';
  return { title: head, severity, blocks };
}

function digestMessage(d: Digest, t: Translate, time: (ms: number) => string, heldLine: (h: HeldAlert) => string): OutMessage {
  const items: string[] = [];
  const mark = (ok: boolean): string => stateIcon(ok ? 'ok' : 'warning');
  if (d.backups) {
    const ok = d.backups.failed.length === 0 && d.backups.missing.length === 0;
    items.push(
      `${mark(ok)} ${t('alerts.digest.backups', { ok: d.backups.ok.length, failed: d.backups.failed.length, missing: d.backups.missing.length })}`,
    );
    for (const f of d.backups.failed)
      items.push(`${stateIcon('warning')} ${t('alerts.digest.backupFailed', { guest: f.guest, time: time(f.at) })}`);
    for (const g of d.backups.missing) items.push(`${stateIcon('warning')} ${t('alerts.digest.backupMissing', { guest: g })}`);
    if (d.backups.offsiteAt !== undefined)
      items.push(`${stateIcon('info')} ${t('alerts.digest.offsite', { age: time(d.backups.offsiteAt) })}`);
  }
  for (const r of d.raid ?? [])
    items.push(
      `${mark(r.healthy)} ${t('alerts.digest.raid', { name: r.name, state: r.progress !== undefined ? `${r.state} ${r.progress} %` : r.state })}`,
    );
  for (const k of d.disks ?? [])
    items.push(
      `${mark(k.healthy)} ${t('alerts.digest.disk', { name: k.name, state: k.healthy ? t('alerts.digest.diskOk') : (k.detail ?? '?') })}`,
    );
  if (d.ups) {
    items.push(
      `${mark(d.ups.onMains && !d.ups.replaceBattery)} ${t('alerts.digest.ups', {
        charge: d.ups.charge !== undefined ? `${d.ups.charge} %` : '?',
        runtime: d.ups.runtimeSeconds !== undefined ? formatDurationShort(d.ups.runtimeSeconds * 1000) : '?',
        replace: d.ups.replaceBattery ? t('alerts.digest.upsReplace') : '',
      })}`,
    );
  }
  for (const u of d.updates ?? []) {
    const count = u.security ? t('alerts.digest.security', { count: u.count, security: u.security }) : String(u.count);
    items.push(`${mark(!u.security)} ${t('alerts.digest.updates', { host: u.host, count })}`);
  }
  const blocks: Block[] = [
    {
      kind: 'text',
      text: d.allGood ? t('alerts.digest.allGood') : d.activeAlerts > 0 ? t('alerts.digest.active', { count: d.activeAlerts }) : '',
    },
  ];
  if (items.length) blocks.push({ kind: 'list', items });
  if (d.held?.length)
    blocks.push({ kind: 'text', text: t('alerts.digest.held', { count: d.held.length }) }, { kind: 'list', items: d.held.map(heldLine) });
  return {
    title: t('alerts.digest.title'),
    severity: d.allGood ? 'success' : 'warning',
    blocks: blocks.filter((b) => b.kind !== 'text' || b.text),
  };
}
