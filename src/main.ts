/**
 * Entry point: `npm start` (demo mode when no config exists), `--config PATH`,
 * `--check-config` (validate and exit), `--console` (also chat on stdin/stdout).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp, type App } from './app.ts';
import { formatProblems, loadConfigFile, redactConfig, validateConfig, type ConfigResult } from './core/config.ts';
import { DatabaseOpenError } from './core/db.ts';
import { createLogger } from './core/logger.ts';
import { startDemoHomelab, type DemoHomelab } from './demo/index.ts';
import { demoBackends } from './demo/registry.ts';

const DEFAULT_CONFIG = 'data/config.yaml';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'check-config': { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      console: { type: 'boolean', default: false },
      healthcheck: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const explicitPath = values.config ?? process.env.HOMELAB_CONFIG;
  const path = explicitPath ?? DEFAULT_CONFIG;
  const demo = values.demo || (!explicitPath && !existsSync(path));

  if (values['check-config']) {
    const result = loadConfigFile(path);
    if (!result.ok) {
      process.stderr.write(`Configuration ${path} has problems:\n${formatProblems(result.problems)}\n`);
      return 1;
    }
    process.stdout.write(`Configuration ${path} is valid.\n`);
    return 0;
  }

  if (values.healthcheck) {
    const result = loadConfigFile(path);
    if (!result.ok) {
      process.stderr.write(`Configuration ${path} has problems:\n${formatProblems(result.problems)}\n`);
      return 1;
    }
    return (await checkHealth(result.config.health)) ? 0 : 1;
  }

  let homelab: DemoHomelab | undefined;
  let tempDir: string | undefined;
  let result: ConfigResult;
  if (demo) {
    homelab = await startDemoHomelab(demoBackends());
    tempDir = mkdtempSync(join(tmpdir(), 'homelab-demo-'));
    result = validateConfig({ ...homelab.config, database: join(tempDir, 'demo.db'), console: true, health: { port: 0 } });
    process.stdout.write(
      'Demo mode: a simulated homelab on 127.0.0.1 and a temporary database. Type /help. ' +
        `To use your real homelab, copy data/config.example.yaml to ${DEFAULT_CONFIG} and fill it in.\n\n`,
    );
  } else {
    result = loadConfigFile(path);
  }
  if (!result.ok) {
    process.stderr.write(`Configuration ${path} has problems:\n${formatProblems(result.problems)}\n`);
    await homelab?.close();
    return 1;
  }
  const config = result.config;
  const interactive = Boolean(process.stdout.isTTY);
  const log = createLogger({
    level: demo ? 'warn' : config.log.level,
    pretty: config.log.pretty ?? interactive,
    secrets: result.secrets,
    // In demo/console mode stdout is the chat; logs go to stderr.
    ...(demo || values.console || config.console ? { destination: process.stderr } : {}),
  });
  log.info({ config: redactConfig(config) }, 'configuration loaded');

  let app: App | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log.info({ reason }, 'shutting down');
      await app?.stop();
      await homelab?.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const ended = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => void shutdown('SIGTERM').then(resolve));
    process.once('SIGINT', () => void shutdown('SIGINT').then(resolve));
    const useConsole = demo || values.console || config.console;
    void startApp({
      config: { ...config, console: useConsole },
      log,
      demo,
      ...(homelab ? { simulate: (scenario: string) => homelab.simulate(scenario) } : {}),
      ...(useConsole
        ? { console: { input: process.stdin, output: process.stdout, onEnd: () => void shutdown('end of input').then(resolve) } }
        : {}),
    })
      .then((a) => {
        app = a;
        if (stopping) void a.stop();
        log.info({ healthPort: a.healthPort }, 'bot started');
      })
      .catch(async (e: unknown) => {
        if (e instanceof DatabaseOpenError) process.stderr.write(`${e.message}\n`);
        else log.fatal({ err: e }, 'start-up failed');
        process.exitCode = 1;
        await shutdown('start-up failed');
        resolve();
      });
  });
  await ended;
  return Number(process.exitCode ?? 0);
}

/** The container HEALTHCHECK: asks the running bot's /healthz on the port its configuration names. */
async function checkHealth(health: { host: string; port: number }): Promise<boolean> {
  const host = health.host === '0.0.0.0' || health.host === '::' ? '127.0.0.1' : health.host;
  try {
    const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${health.port}/healthz`, {
      signal: AbortSignal.timeout(4000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fatal: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
