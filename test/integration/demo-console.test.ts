/** The README's first command as a user runs it: demo mode on piped stdin, as a child process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

function runDemo(input: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, HOMELAB_CONFIG: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('piped /help and /status print both replies and exit at end of input', async () => {
  const { code, stdout, stderr } = await runDemo('/help\n/status\n');
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Demo mode: .*config\.example\.yaml/m);
  const help = stdout.indexOf('> /help');
  const status = stdout.indexOf('> /status');
  assert.ok(help >= 0 && status > help, stdout);
  assert.match(stdout.slice(help, status), /Commands/);
  assert.match(stdout.slice(status), /Homelab status/);
});

/** Runs `--check-config` on a file with this YAML. */
async function checkConfig(yaml: string): Promise<{ code: number | null; stderr: string }> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.yaml');
  writeFileSync(path, yaml);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--check-config', '--config', path]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('--check-config rejects a broken file with the key path and starts nothing', async () => {
  const res = await checkConfig('telegram:\n  token: bad\n');
  assert.equal(res.code, 1);
  assert.match(res.stderr, /telegram\.token/);
});

test('--check-config refuses a plan where the bot stops its own guest before the others, naming the key', async () => {
  const res = await checkConfig(
    'alerts:\n  powerCut:\n    enabled: true\n    runBy: bot\n    runsOn: 101\n    shutdownOrder: [101, 100]\n',
  );
  assert.equal(res.code, 1);
  assert.match(res.stderr, /alerts\.powerCut\.shutdownOrder\.0/);
  assert.match(res.stderr, /runBy: hypervisor/);
});
