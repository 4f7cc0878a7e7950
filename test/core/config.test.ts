import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { parseConfigText, redactConfig } from '../../src/core/config.ts';
import { createLogger } from '../../src/core/logger.ts';

const TOKEN = '123456:AAExampleExampleExampleExample';
const ROUTER = `router:\n  url: https://127.0.0.1:8443\n  username: bot\n  password: x\n`;

function problemsOf(yaml: string, env: Record<string, string> = {}) {
  const r = parseConfigText(yaml, env, () => {
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  });
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.ok ? [] : r.problems;
}

describe('config validation names the key path of every problem', () => {
  const cases: [string, string, RegExp][] = [
    ['telegram token shape', `telegram:\n  token: nope\n`, /^telegram\.token$/],
    ['owner ids must be numbers', `telegram:\n  token: "${TOKEN}"\n  ownerIds: [abc]\n`, /^telegram\.ownerIds\.0$/],
    ['unknown top-level key', `telegarm: {}\n`, /^telegarm$/],
    [
      'unknown nested key',
      `proxmox:\n  url: https://127.0.0.1:8006\n  tokenId: a@pam!b\n  tokenSecret: x\n  colour: red\n`,
      /^proxmox\.colour$/,
    ],
    ['proxmox needs credentials', `proxmox:\n  url: https://127.0.0.1:8006\n`, /^proxmox$/],
    ['bad url', `pihole:\n  url: not-a-url\n  password: x\n`, /^pihole\.url$/],
    ['bad fingerprint', `router:\n  url: https://127.0.0.1\n  username: a\n  password: b\n  fingerprint: zz\n`, /^router\.fingerprint$/],
    ['ssh host key required', `mdadm:\n  ssh:\n    host: 127.0.0.1\n    username: a\n    password: b\n`, /^mdadm\.ssh\.hostKey$/],
    ['port range', `nut:\n  port: 70000\n`, /^nut\.port$/],
    ['language enum', `language: fr\n`, /^language$/],
    ['binding chat', `alerts:\n  bindings:\n    - chat: email:me\n`, /^alerts\.bindings\.0\.chat$/],
    ['a topic only for Telegram groups', `alerts:\n  bindings:\n    - chat: discord:5/7\n`, /^alerts\.bindings\.0\.chat$/],
    [
      'quiet hours format',
      `alerts:\n  bindings:\n    - chat: telegram:1\n      quietHours: { start: "25:00", end: "07:00" }\n`,
      /^alerts\.bindings\.0\.quietHours\.start$/,
    ],
    [
      'a bot that stops guest by guest may not stop its own guest before the others',
      `alerts:\n  powerCut:\n    enabled: true\n    runBy: bot\n    runsOn: 101\n    shutdownOrder: [101, 100]\n`,
      /^alerts\.powerCut\.shutdownOrder\.0$/,
    ],
    [
      'Wake-on-LAN needs a MAC address',
      `${ROUTER}alerts:\n  powerCut:\n    enabled: true\n    runsOn: outside\n    restore:\n      wakeOnLan: { mac: "00:00:5E:00:53" }\n`,
      /^alerts\.powerCut\.restore\.wakeOnLan\.mac$/,
    ],
    [
      'Wake-on-LAN from a bot that runs inside a guest of the node it would wake',
      `${ROUTER}alerts:\n  powerCut:\n    enabled: true\n    runsOn: 101\n    restore:\n      wakeOnLan: { mac: "00:00:5E:00:53:10" }\n`,
      /^alerts\.powerCut\.restore\.wakeOnLan$/,
    ],
    [
      'Wake-on-LAN without a router to send it',
      `alerts:\n  powerCut:\n    enabled: true\n    runsOn: outside\n    restore:\n      wakeOnLan: { mac: "00:00:5E:00:53:10" }\n`,
      /^alerts\.powerCut\.restore\.wakeOnLan$/,
    ],
  ];
  for (const [name, yaml, path] of cases) {
    test(name, () => {
      const problems = problemsOf(yaml);
      assert.ok(
        problems.some((p) => path.test(p.path)),
        `no problem at ${path}: ${JSON.stringify(problems)}`,
      );
      for (const p of problems) assert.ok(p.message.length > 0);
    });
  }

  test('the same plan handed to the hypervisor is accepted (Proxmox finishes it without the bot)', () => {
    const r = parseConfigText(
      `alerts:\n  powerCut:\n    enabled: true\n    runBy: hypervisor\n    runsOn: 101\n    shutdownOrder: [101, 100]\n`,
      {},
      () => '',
    );
    assert.equal(r.ok, true, JSON.stringify(r.ok ? [] : r.problems));
  });

  test('a Wake-on-LAN MAC is read in any usual form and kept as the router prints it', () => {
    const r = parseConfigText(
      `${ROUTER}alerts:\n  powerCut:\n    enabled: true\n    runsOn: outside\n    restore:\n      wakeOnLan: { mac: "00-00-5e-00-53-10", interface: bridge }\n`,
      {},
      () => '',
    );
    assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.problems));
    assert.deepEqual(r.config.alerts.powerCut?.restore.wakeOnLan, {
      mac: '00:00:5E:00:53:10',
      interface: 'bridge',
      afterMinutesOnMains: 2,
      bootTimeoutMinutes: 5,
    });
  });

  test('YAML syntax errors give a line number', () => {
    const problems = problemsOf('telegram: [\n');
    assert.match(problems[0]?.path ?? '', /^line \d+$|\(file\)/);
  });

  test('a missing environment variable is named', () => {
    const problems = problemsOf('telegram:\n  token: ${TG_TOKEN}\n');
    assert.ok(problems.some((p) => p.path === 'telegram.token' && /TG_TOKEN/.test(p.message)));
  });

  test('messages are written for people: no zod wording, valid values listed, typos get a suggestion', () => {
    const said = (yaml: string, path: string): string => problemsOf(yaml).find((p) => p.path === path)?.message ?? '(no problem)';
    assert.equal(said('pihole:\n  url: http://127.0.0.1\n', 'pihole.password'), 'is required');
    assert.match(
      said(`telegram:\n  token: "${TOKEN}"\n  ownerIds: ["@myname"]\n`, 'telegram.ownerIds.0'),
      /number, not a @username.*userinfobot/,
    );
    assert.match(said(`discord:\n  token: "${TOKEN}"\n  ownerIds: ["@me"]\n`, 'discord.ownerIds.0'), /Copy User ID/);
    assert.equal(said(`telegram:\n  token: "${TOKEN}"\n  ownerId: [1]\n`, 'telegram.ownerId'), 'unknown key: did you mean ownerIds?');
    assert.equal(said('language: fr\n', 'language'), 'must be one of: en, es');
    assert.equal(said('health: { port: "abc" }\n', 'health.port'), 'expected a number, not text');
    for (const p of problemsOf(`pihole:\n  url: 3\nlanguage: fr\nhealth: { port: "abc" }\n`))
      assert.doesNotMatch(p.message, /Invalid (input|option)|received/);
  });

  test('time zones and cron expressions are checked the way they will be used (Intl, node-cron)', () => {
    const said = (yaml: string, path: string): string => problemsOf(yaml).find((p) => p.path === path)?.message ?? '(no problem)';
    assert.match(said('timezone: Madrid\n', 'timezone'), /unknown time zone "Madrid" \(did you mean Europe\/Madrid\?\)/);
    assert.match(said('timezone: Mars/Olympus\n', 'timezone'), /unknown time zone/);
    assert.match(said('alerts:\n  digest: { cron: "every morning" }\n', 'alerts.digest.cron'), /not a cron expression/);
    assert.match(said('alerts:\n  digest: { cron: "99 99 * * *" }\n', 'alerts.digest.cron'), /not a cron expression/);
    assert.ok(parseConfigText('timezone: Europe/Madrid\nalerts:\n  digest: { cron: "30 7 * * 1-5" }\n', {}).ok);
  });

  test('a secret value never appears in a problem message', () => {
    const problems = problemsOf(`telegram:\n  token: "${TOKEN}"\n  ownerIds: "x"\n`);
    assert.ok(!JSON.stringify(problems).includes(TOKEN));
  });
});

describe('config resolution', () => {
  test('${VAR} interpolation and *_FILE secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const secretFile = join(dir, 'pihole');
    writeFileSync(secretFile, 'file-secret\n');
    const r = parseConfigText(
      `telegram:\n  token: \${TG}\n  ownerIds: [42]\npihole:\n  url: http://127.0.0.1:8081\n  password_FILE: ${secretFile}\n`,
      { TG: TOKEN },
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.equal(r.config.telegram?.token, TOKEN);
    assert.equal(r.config.pihole?.password, 'file-secret');
    assert.deepEqual(r.secrets.sort(), ['file-secret', TOKEN].sort());
  });

  test('${VAR} reads the file VAR_FILE names when only VAR_FILE is set (Docker secrets)', () => {
    const r = parseConfigText('telegram:\n  token: ${TG}\n  ownerIds: [42]\n', { TG_FILE: '/run/secrets/tg' }, (p) => {
      assert.equal(p, '/run/secrets/tg');
      return `${TOKEN}\n`;
    });
    assert.ok(r.ok && r.config.telegram?.token === TOKEN);
    const problems = problemsOf('telegram:\n  token: ${TG}\n', { TG_FILE: '/missing' });
    assert.ok(problems.some((p) => p.path === 'telegram.token' && /TG_FILE.*ENOENT/.test(p.message)));
  });

  test('an unreadable *_FILE is reported at its key', () => {
    const problems = problemsOf('pihole:\n  url: http://127.0.0.1\n  password_FILE: /nonexistent/secret\n');
    assert.ok(problems.some((p) => p.path === 'pihole.password_FILE' && /ENOENT/.test(p.message)));
  });

  test('defaults fill an empty file', () => {
    const r = parseConfigText('');
    assert.ok(r.ok);
    assert.equal(r.config.database, 'data/homelab.db');
    assert.equal(r.config.language, 'en');
  });
});

describe('secrets stay out of logs', () => {
  test('a canary secret is redacted from the logged config and from free text', () => {
    const canary = 'canary-9f8e7d6c5b4a';
    const r = parseConfigText(`pihole:\n  url: http://127.0.0.1\n  password: ${canary}\ntelegram:\n  token: "${TOKEN}"\n`);
    assert.ok(r.ok);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ destination: sink, secrets: r.secrets });
    log.info({ config: redactConfig(r.config) }, 'configuration loaded');
    log.info({ password: canary }, 'by key');
    log.warn(`login failed with ${canary} for ${TOKEN}`);
    log.error({ err: new Error(`boom ${canary}`) }, 'error object');
    const all = lines.join('');
    assert.ok(lines.length >= 4);
    assert.ok(!all.includes(canary), 'canary leaked into logs');
    assert.ok(!all.includes(TOKEN), 'token leaked into logs');
    assert.ok(all.includes('[REDACTED]'));
  });
});
