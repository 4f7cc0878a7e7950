/** Off-site copy: the output parser, the staleness rule, its texts, and the digest merge (all pure). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDigestInputs } from '../../src/alerts/digest.ts';
import { Messages } from '../../src/core/i18n.ts';
import { toPlainText } from '../../src/core/outmessage.ts';
import { alertsMessages } from '../../src/handlers/alerts/messages.ts';
import { createAlertRenderer } from '../../src/handlers/alerts/render.ts';
import { offsiteMessages } from '../../src/handlers/offsite/messages.ts';
import { pipelineMessages } from '../../src/handlers/pipeline.messages.ts';
import { offsiteConditions } from '../../src/services/offsite/alerts.ts';
import { parseLastSuccess } from '../../src/services/offsite/parse.ts';
import type { CommandOutput } from '../../src/services/ssh.ts';

const T = Date.UTC(2026, 10, 25, 14, 5, 0); // Wed 25 Nov 2026 14:05:00 UTC
const out = (stdout: string, code: number | null = 0, stderr = ''): CommandOutput => ({ stdout, stderr, code });

describe('parseLastSuccess: accepted outputs', () => {
  const cases: [string, string, number][] = [
    ['stat -c %Y (epoch seconds)', `${T / 1000}\n`, T],
    ['epoch with spaces and CRLF', `  ${T / 1000}\r\n`, T],
    ['epoch float (date +%s.%N)', `${T / 1000}.250000000\n`, T + 250],
    ['leading blank lines', `\n\n${T / 1000}\n\n`, T],
    ['ISO 8601 UTC', '2026-11-25T14:05:00Z', T],
    ['ISO 8601 lower-case t and z', '2026-11-25t14:05:00z', T],
    ['date -Iseconds with offset', '2026-11-25T15:05:00+01:00', T],
    ['date --rfc-3339=ns', '2026-11-25 15:05:00.123456789+01:00', T + 123],
    ['compact offset', '2026-11-25T09:05:00-0500', T],
    ['hour-only offset', '2026-11-25T16:05:00+02', T],
    ['no seconds', '2026-11-25T14:05Z', T],
    ['date -R', 'Wed, 25 Nov 2026 15:05:00 +0100', T],
    ['RFC 2822 without weekday, GMT', '25 Nov 2026 14:05:00 GMT', T],
    ['RFC 2822 one-digit day', 'Thu, 5 Nov 2026 14:05:00 +0000', Date.UTC(2026, 10, 5, 14, 5, 0)],
    ['leap second', '2016-12-31T23:59:60Z', Date.UTC(2016, 11, 31, 23, 59, 59)],
  ];
  for (const [name, stdout, expected] of cases) {
    test(name, () => {
      const r = parseLastSuccess(out(stdout));
      assert.deepEqual(r, { ok: true, value: expected });
    });
  }
});

describe('parseLastSuccess: outputs that are not a time → protocol', () => {
  const cases: [string, string, RegExp?][] = [
    ['a word', 'hello'],
    ['date without a time', '2026-11-25'],
    ['ISO without a zone is ambiguous', '2026-11-25T14:05:00', /with a zone/],
    ['February 30th', '2026-02-30T00:00:00Z'],
    ['hour 25', '2026-11-25T25:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['unknown month name', 'Wed, 25 Foo 2026 14:05:00 +0100'],
    ['date default format (zone abbreviation)', 'Wed Nov 25 15:05:00 CET 2026'],
    ['epoch in milliseconds', String(T)],
    ['negative epoch', '-5'],
    ['exponent', '1.7e9'],
    ['two lines', `${T / 1000}\n${T / 1000}\n`, /2 lines/],
    ['a rclone log line', '2026/11/25 14:05:00 INFO  : There was nothing to transfer'],
  ];
  for (const [name, stdout, detail] of cases) {
    test(name, () => {
      const r = parseLastSuccess(out(stdout));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.kind, 'protocol');
      assert.equal(r.error.service, 'offsite');
      assert.match(r.error.detail, /^the output was not a time/);
      if (detail) assert.match(r.error.detail, detail);
    });
  }

  test('the detail never quotes what the command printed', () => {
    const r = parseLastSuccess(out('password=hunter2 token=abc'));
    assert.ok(!r.ok);
    assert.doesNotMatch(r.error.detail, /hunter2|abc/);
  });
});

describe('parseLastSuccess: a failed or silent command → rejected', () => {
  const cases: [string, CommandOutput, string][] = [
    [
      'stat on a missing file: exit code and first stderr line only',
      out('', 1, "stat: cannot statx '/var/log/rclone-last-success': No such file or directory\nsecond line\n"),
      "the command failed (exit 1): stat: cannot statx '/var/log/rclone-last-success': No such file or directory",
    ],
    ['non-zero exit even with a time printed', out(`${T / 1000}\n`, 2), 'the command failed (exit 2)'],
    ['killed by a signal', out('', null, 'Killed'), 'the command failed (exit signal): Killed'],
    ['exit 0 and nothing printed', out('', 0), 'the command printed nothing (exit 0)'],
    [
      'exit 0, only blanks, something on stderr',
      out(' \n\t\n', 0, 'warning: clock\n'),
      'the command printed nothing (exit 0): warning: clock',
    ],
    ['a very long stderr line is cut', out('', 1, 'x'.repeat(500)), `the command failed (exit 1): ${'x'.repeat(197)}...`],
  ];
  for (const [name, o, detail] of cases) {
    test(name, () => {
      assert.deepEqual(parseLastSuccess(o, 'offsite'), { ok: false, error: { service: 'offsite', kind: 'rejected', detail } });
    });
  }
});

describe('offsiteConditions (window 26 h)', () => {
  const H = 3_600_000;
  const at = (ageHours: number) => offsiteConditions({ lastSuccessAt: T - ageHours * H }, T, { windowHours: 26 });
  const cases: [string, number, 'none' | 'warning' | 'critical', number?][] = [
    ['fresh: 5 h old', 5, 'none'],
    ['exactly at the window', 26, 'none'],
    ['stale: just past the window', 26.01, 'warning', 26],
    ['stale: 30 h', 30, 'warning', 30],
    ['exactly twice the window is still a warning', 52, 'warning', 52],
    ['very stale: past twice the window', 53, 'critical', 53],
    ['very stale: ten days', 240, 'critical', 240],
    ['future by 3 h (clock skew): not stale', -3, 'none'],
    ['far future: not stale', -1e6, 'none'],
  ];
  for (const [name, age, expected, ageParam] of cases) {
    test(name, () => {
      const cs = at(age);
      if (expected === 'none') return assert.deepEqual(cs, []);
      assert.equal(cs.length, 1);
      const c = cs[0]!;
      assert.equal(c.key, 'backup:offsite:stale');
      assert.equal(c.source, 'backup');
      assert.equal(c.dependsOn, 'offsite');
      assert.equal(c.severity, expected);
      assert.equal(c.params.age, ageParam);
      assert.equal(c.params.window, 26);
      assert.equal(c.params.last, T - age * H);
    });
  }

  test('a timestamp that is not a number does not crash the rule', () => {
    assert.deepEqual(offsiteConditions({ lastSuccessAt: NaN }, T, { windowHours: 26 }), []);
  });
});

describe('the off-site alert as a chat shows it', () => {
  const messages = new Messages([alertsMessages, pipelineMessages, offsiteMessages], { strict: true });
  const render = createAlertRenderer({
    messages,
    languageOf: (d) => (d === 'telegram:2' ? 'es' : 'en'),
    actions: { ack: () => undefined, snooze1h: () => undefined, snooze1d: () => undefined, obvious: () => undefined },
    timezone: 'Europe/Madrid',
    now: () => T,
  });
  const [c] = offsiteConditions({ lastSuccessAt: T - 30 * 3_600_000 }, T, { windowHours: 26 });
  const alert = {
    key: c!.key,
    origin: 'offsite',
    source: c!.source,
    severity: c!.severity,
    summaryKey: c!.summaryKey,
    params: c!.params,
    raisedAt: T,
    flapping: false,
  };
  const ev = (kind: 'raise' | 'resolve') => ({
    type: 'alert' as const,
    event: { id: 'x:1', kind, thread: 'x', at: T, edit: false, alert },
  });

  test('raise and recovery in English and Spanish, the last sync in the household’s zone', async () => {
    assert.equal(
      (await render(ev('raise'), 'telegram:1')).title,
      'The off-site backup copy is 30 h old (last sync yesterday 09:05, expected every 26 h)',
    );
    assert.equal((await render(ev('resolve'), 'telegram:1')).title, 'The off-site backup copy is up to date again');
    assert.match(
      toPlainText(await render(ev('raise'), 'telegram:2')),
      /La copia externa tiene 30 h \(última sincronización ayer 09:05, se espera cada 26 h\)/,
    );
    assert.equal((await render(ev('resolve'), 'telegram:2')).title, 'La copia externa vuelve a estar al día');
  });

  test('the unreachable alert names the off-site copy by its household label', async () => {
    const down = {
      ...alert,
      key: 'backend:offsite:unreachable',
      source: 'backend' as const,
      summaryKey: 'alerts.backend.unreachable' as const,
      params: { backend: 'offsite' },
    };
    const m = await render(
      { type: 'alert', event: { id: 'y:1', kind: 'raise', thread: 'y', at: T, edit: false, alert: down } },
      'telegram:1',
    );
    assert.equal(m.title, 'Off-site copy is not answering');
  });
});

describe('mergeDigestInputs', () => {
  const proxmox = { backups: { ok: ['nas'], failed: [{ guest: 'docker', at: T }], missing: ['pbs'] } };
  const offsite = { backups: { ok: [], failed: [], missing: [], offsiteAt: T - 1000 } };
  test('Proxmox backups and the off-site time combine, in either module order', () => {
    const expected = {
      backups: { ok: ['nas'], failed: [{ guest: 'docker', at: T }], missing: ['pbs'], offsiteAt: T - 1000 },
      ups: { onMains: true, replaceBattery: false },
    };
    const ups = { ups: { onMains: true, replaceBattery: false } };
    assert.deepEqual(mergeDigestInputs([proxmox, ups, offsite]), expected);
    assert.deepEqual(mergeDigestInputs([offsite, {}, proxmox, ups]), expected);
  });
  test('one part alone is kept as it is', () => {
    assert.deepEqual(mergeDigestInputs([offsite, {}]), offsite);
    assert.deepEqual(mergeDigestInputs([]), {});
  });
});
