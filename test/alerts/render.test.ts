import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureDetail, failureParams, reasonedError, SERVICE_ERROR_REASONS } from '../../src/core/errors.ts';
import { unreachableCondition } from '../../src/alerts/engine.ts';
import { Messages } from '../../src/core/i18n.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import type { AlertActions } from '../../src/alerts/actions.ts';
import { buildDigest } from '../../src/alerts/digest.ts';
import type { OutboxPayload } from '../../src/alerts/payload.ts';
import type { PowerCutStep } from '../../src/alerts/powercut.ts';
import type { AlertEvent } from '../../src/alerts/types.ts';
import { alertsMessages } from '../../src/handlers/alerts/messages.ts';
import { createAlertRenderer } from '../../src/handlers/alerts/render.ts';
import { upsMessages } from '../../src/handlers/ups/messages.ts';
import { pipelineMessages } from '../../src/handlers/pipeline.messages.ts';
import { upsConditions } from '../../src/services/nut/alerts.ts';
import { toUpsState } from '../../src/services/nut/state.ts';
import { assertNoEnglish } from '../support/language.ts';

const messages = new Messages([alertsMessages, upsMessages, pipelineMessages], { strict: true });
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const calls: string[] = [];
const actions: AlertActions = {
  ack: (k, d) => (calls.push(`ack ${k} ${d}`), 'T-ACK'),
  snooze1h: () => 'T-1H',
  snooze1d: () => 'T-1D',
  obvious: (a) => `T-${a.command}`,
};
const render = createAlertRenderer({
  messages,
  languageOf: (d) => (d === 'telegram:2' ? 'es' : 'en'),
  actions,
  timezone: 'Europe/Madrid',
  now: () => NOW,
  backendLabelKey: (b) => (b === 'nut' ? 'ups.label' : undefined),
});
const r = async (p: OutboxPayload, d = 'telegram:1'): Promise<OutMessage> => render(p, d);

const [onBattery] = upsConditions(
  toUpsState('ups', { 'ups.status': 'OB DISCHRG', 'battery.charge': '91', 'battery.runtime': '2900', 'ups.load': '18' }),
);
const event = (extra: Partial<AlertEvent> = {}, alert: Partial<AlertEvent['alert']> = {}): AlertEvent => ({
  id: 'ups:ups:on_battery@1:1',
  kind: 'raise',
  thread: 'ups:ups:on_battery@1',
  at: NOW,
  edit: false,
  alert: {
    key: onBattery!.key,
    origin: 'nut',
    source: 'ups',
    severity: 'critical',
    summaryKey: onBattery!.summaryKey,
    resolvedKey: onBattery!.resolvedKey!,
    params: onBattery!.params,
    action: onBattery!.action!,
    raisedAt: NOW - 60_000,
    flapping: false,
    ...alert,
  },
  ...extra,
});

describe('alert rendering', () => {
  test('a raise: title, fields, local time, buttons from AlertActions', async () => {
    const m = await r({ type: 'alert', event: event() });
    assert.equal(m.severity, 'critical');
    assert.equal(
      toPlainText(m),
      ['Power cut: the UPS is on battery', 'Battery: 91 %', 'Runtime left: 48m 20s', 'Load: 18 %', 'Since 12:59'].join('\n'),
    );
    assert.deepEqual(
      m.actions?.map((row) => row.map((a) => `${a.label}=${a.token}`)),
      [['Acknowledge=T-ACK', 'Snooze 1 h=T-1H', 'Snooze 1 day=T-1D'], ['Shut down homelab now=T-powercut']],
    );
    assert.ok(calls.includes('ack ups:ups:on_battery telegram:1'));
  });
  test('Spanish chat', async () => {
    const m = await r({ type: 'alert', event: event() }, 'telegram:2');
    assert.match(toPlainText(m), /^Corte de luz: el SAI funciona con batería\nBatería: 91 %/);
    assert.equal(m.actions?.[0]?.[0]?.label, 'Visto');
  });
  test('acknowledged: who and when, no more ack/snooze buttons', async () => {
    const m = await r({ type: 'alert', event: event({ kind: 'update', reason: 'ack', edit: true }, { ackBy: 'Ana', ackAt: NOW }) });
    assert.match(m.footer ?? '', /Acknowledged by Ana \(13:00\)/);
    assert.deepEqual(
      m.actions?.map((row) => row.map((a) => a.label)),
      [['Shut down homelab now']],
    );
  });
  test("recovery: the rule's own words and the duration", async () => {
    const m = await r({ type: 'alert', event: event({ kind: 'resolve', durationMs: 3 * 60_000 + 5000 }) });
    assert.equal(m.severity, 'success');
    assert.equal(toPlainText(m), 'Power is back: the UPS is on mains again\nLasted 3m 5s.');
    assert.equal(m.actions, undefined);
  });
  test("backend unreachable uses the backend's household label", async () => {
    const m = await r({
      type: 'alert',
      event: event(
        {},
        {
          key: 'backend:nut:unreachable',
          source: 'backend',
          severity: 'warning',
          summaryKey: 'alerts.backend.unreachable',
          params: { backend: 'nut', detail: 'unreachable: connection failed (ECONNREFUSED)' },
        },
      ),
    });
    assert.match(toPlainText(m), /^UPS is not answering\nDetail: unreachable: connection failed/);
  });
  test('a known network cause reads translated; a task log is folded behind its summary', async () => {
    const refused = await r({
      type: 'alert',
      event: event(
        {},
        {
          key: 'backend:nut:unreachable',
          source: 'backend',
          severity: 'warning',
          summaryKey: 'alerts.backend.unreachable',
          params: { backend: 'nut', detail: 'unreachable: connection refused', reason: 'connection-refused' },
        },
      ),
    });
    assert.match(toPlainText(refused), /Detail: the connection was refused/);
    const failed = await r({ type: 'alert', event: event({}, { log: 'INFO: Starting Backup of VM 101\nERROR: disk full' }) });
    assert.deepEqual(failed.blocks.at(-1), {
      kind: 'details',
      summary: 'Task log',
      text: 'INFO: Starting Backup of VM 101\nERROR: disk full',
    });
  });
  test('a storm group and a quiet-hours summary are one message each', async () => {
    const items = [event(), event({ kind: 'resolve' }), event({}, { severity: 'warning', summaryKey: 'alerts.ups.replace_battery' })];
    const g = await r({ type: 'group', items });
    assert.equal(
      toPlainText(g),
      [
        '3 alerts at once',
        '• 🔴 Power cut: the UPS is on battery',
        '• ✅ Power is back: the UPS is on mains again',
        '• 🟠 The UPS says its battery needs replacing',
      ].join('\n'),
    );
    const s = await r({ type: 'summary', since: NOW, items: items.map((e) => ({ type: 'alert' as const, event: e })) });
    assert.match(toPlainText(s), /^During quiet hours \(3\)/);
  });
  test('"while you were offline": how long in the reader’s words and plurals, what is still active (en and es)', async () => {
    const offline = (ms: number, active: AlertEvent[], events: number): OutboxPayload => ({
      type: 'offline',
      since: NOW - ms,
      until: NOW,
      active,
      events,
    });
    const long = await r(offline(134 * 60_000, [event()], 5));
    assert.equal(long.severity, 'critical');
    assert.equal(
      toPlainText(long),
      ['While you were offline (2 hours, 14 minutes)', 'Still active now:', '• 🔴 Power cut: the UPS is on battery'].join('\n'),
    );
    const longEs = await r(offline(134 * 60_000, [event()], 5), 'telegram:2');
    assert.match(toPlainText(longEs), /^Mientras estabas sin conexión \(2 horas y 14 minutos\)\nSigue activo ahora:/);
    const short = await r(offline(9 * 60_000 + 54_000, [], 4));
    assert.equal(
      toPlainText(short),
      'While you were offline (10 minutes)\nEverything that happened meanwhile (4 changes) is resolved now.',
    );
    const minute = await r(offline(60_000, [], 4), 'telegram:2');
    assert.equal(
      toPlainText(minute),
      'Mientras estabas sin conexión (1 minuto)\nTodo lo que pasó entretanto (4 cambios) ya está resuelto.',
    );
    assert.match(toPlainText(await r(offline(45_000, [], 1))), /^While you were offline \(45 seconds\)\n.*\(1 change\)/);
  });
  test('power-cut report and digest', async () => {
    const pc = await r({
      type: 'notice',
      notice: {
        kind: 'powercut',
        step: {
          phase: 'running',
          dryRun: true,
          trigger: 'low-battery',
          lines: [
            { target: 'guest', vmid: 101, name: 'docker', status: 'would-shutdown' },
            { target: 'node', status: 'pending' },
          ],
        },
      },
    });
    assert.equal(
      toPlainText(pc),
      [
        'Shutting down the homelab (battery low).',
        'Dry run: nothing is touched, this is what would happen.',
        'docker: would shut down',
        'Server: waiting',
      ].join('\n'),
    );
    const d = await r({
      type: 'notice',
      notice: {
        kind: 'digest',
        digest: buildDigest({ ups: { charge: 100, runtimeSeconds: 3300, onMains: true, replaceBattery: false } }, NOW),
      },
    });
    assert.equal(toPlainText(d), ['Good morning: homelab report', 'All good.', '• 🟢 UPS: battery 100 %, 55m runtime'].join('\n'));
  });
  test('failure details in restore reports and power-cut steps read in the reader’s language, never the client’s English', async () => {
    const refused = reasonedError('proxmox', 'unreachable', 'connection-refused', 'connect ECONNREFUSED 127.0.0.1:8006');
    const slow = reasonedError('proxmox', 'timeout', 'no-answer', 'no answer within 10000 ms');
    const restore: OutboxPayload = {
      type: 'notice',
      notice: {
        kind: 'restore',
        report: {
          // The cut began yesterday evening (Madrid) and the report comes at noon.
          outageStart: NOW - 15 * 3_600_000,
          outageEnd: NOW - 3_600_000,
          handedOverAt: NOW - 14 * 3_600_000,
          sequence: [['docker (CT 101)']],
          node: 'proxmox1',
          lines: [
            { light: 'red', key: 'alerts.restore.nodeDown', params: failureParams(refused) },
            { light: 'red', key: 'alerts.restore.nasDown', params: failureParams(slow) },
          ],
        },
      },
    };
    const es = toPlainText(await r(restore, 'telegram:2'));
    assert.match(es, /El corte de luz duró 14h \(desde ayer 22:00\)\./);
    assert.match(es, /Apagado \(ayer 23:00\): docker \(CT 101\), luego proxmox1\./);
    assert.match(es, /El servidor no responde: la conexión ha sido rechazada/);
    assert.match(es, /El NAS no responde: no ha habido respuesta a tiempo/);
    assert.doesNotMatch(es, /ECONNREFUSED|within/);
    assertNoEnglish(messages, es, ['docker', 'proxmox1']);
    const en = toPlainText(await r(restore));
    assert.match(en, /The power cut lasted 14h \(from yesterday 22:00\)\./);
    assert.match(en, /The server does not answer: the connection was refused/);

    const failed = (step: Partial<PowerCutStep>): OutboxPayload => ({
      type: 'notice',
      notice: { kind: 'powercut', step: { phase: 'running', dryRun: false, lines: [], ...step } },
    });
    const notConfigured = reasonedError('proxmox', 'rejected', 'not-configured', 'Proxmox is not configured');
    const planEs = toPlainText(await r(failed({ phase: 'failed', ...failureDetail(notConfigured) }), 'telegram:2'));
    assert.match(planEs, /No se pudo entregar el apagado del homelab a Proxmox: no está configurado\./);
    assertNoEnglish(messages, planEs);
    const callEs = toPlainText(
      await r(
        failed({ phase: 'failed', failedCall: 'POST /nodes/proxmox1/status command=shutdown', ...failureDetail(refused) }),
        'telegram:2',
      ),
    );
    assert.match(callEs, /Proxmox: POST \/nodes\/proxmox1\/status command=shutdown: la conexión ha sido rechazada\./);
    const lineEs = toPlainText(
      await r(failed({ lines: [{ target: 'guest', vmid: 101, name: 'docker', status: 'failed', ...failureDetail(slow) }] }), 'telegram:2'),
    );
    assert.match(lineEs, /docker: error: no ha habido respuesta a tiempo/);
    assertNoEnglish(messages, lineEs, ['docker']);
  });

  test('no token, no button (a platform without buttons)', async () => {
    const bare = createAlertRenderer({
      messages,
      languageOf: () => 'en',
      actions: { ack: () => undefined, snooze1h: () => undefined, snooze1d: () => undefined, obvious: () => undefined },
      timezone: 'UTC',
      now: () => NOW,
    });
    const m = await bare({ type: 'alert', event: event() }, 'console:main');
    assert.equal(m.actions, undefined);
  });
});

test('every message key the UPS rules can produce exists in English and Spanish', () => {
  const keys = new Set<string>(['alerts.backend.unreachable', 'alerts.backend.unreachable.resolved']);
  for (const status of ['OB', 'OB LB', 'FSD', 'OL RB', 'OL OVER']) {
    for (const c of upsConditions(toUpsState('u', { 'ups.status': status }))) {
      keys.add(c.summaryKey);
      if (c.resolvedKey) keys.add(c.resolvedKey);
      if (c.action) keys.add(c.action.labelKey);
    }
  }
  for (const k of keys) {
    assert.ok(messages.has(k), k);
    assert.notEqual(messages.t('es', k), messages.t('en', k), `${k} is translated`);
  }
});

describe('a backend-unreachable alert names its cause without a literal placeholder', () => {
  const unreachable = (params: Record<string, string>): AlertEvent =>
    event(
      {},
      {
        key: 'backend:proxmox',
        origin: 'proxmox',
        source: 'backend',
        severity: 'warning',
        summaryKey: 'alerts.backend.unreachable',
        resolvedKey: 'alerts.backend.unreachable.resolved',
        params,
        action: undefined,
      },
    );
  for (const reason of SERVICE_ERROR_REASONS) {
    test(reason, async () => {
      for (const d of ['telegram:1', 'telegram:2']) {
        const bare = toPlainText(
          await r({ type: 'alert', event: unreachable({ backend: 'proxmox', detail: 'ENGLISH-DETAIL', reason }) }, d),
        );
        assert.doesNotMatch(bare, /\{\w+\}|ENGLISH-DETAIL/, `${reason} without values, ${d}:\n${bare}`);
      }
    });
  }
  test('values that travel with the reason (the feed keeps them) are said', async () => {
    const cond = unreachableCondition(
      {
        origin: 'omv',
        reachable: false,
        conditions: [],
        detail: 'x',
        reason: 'ssh-host-key-mismatch',
        reasonParams: { seen: 'SHA256:seen', pinned: 'SHA256:pin' },
      },
      0,
    );
    const text = toPlainText(await r({ type: 'alert', event: unreachable(cond.params as Record<string, string>) }, 'telegram:2'));
    assert.match(text, /su clave de equipo SHA256:seen no coincide con la fijada SHA256:pin/);
  });
});

test('the daily digest to a Spanish reader is Spanish, with the active-alert count in the right plural', async () => {
  const input = {
    ups: { charge: 80, runtimeSeconds: 3300, onMains: true, replaceBattery: true },
    disks: [{ name: 'sda', healthy: true }],
    updates: [{ host: 'pve', count: 3, security: 1 }],
  };
  const digest = async (active: number): Promise<string> =>
    toPlainText(await r({ type: 'notice', notice: { kind: 'digest', digest: buildDigest(input, NOW, active) } }, 'telegram:2'));
  const one = await digest(1);
  assert.match(one, /^Buenos días: informe del homelab/);
  assert.match(one, /1 alerta activa — mira \/alerts/);
  assert.match(one, /SAI: batería 80 %, autonomía 55m, hay que cambiar la batería/);
  assertNoEnglish(messages, one, ['pve', 'sda']);
  const three = await digest(3);
  assert.match(three, /3 alertas activas — mira \/alerts/);
  assertNoEnglish(messages, three, ['pve', 'sda']);
});
