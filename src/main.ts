/**
 * Entry point: `npm start` (demo mode when no config exists), `--config PATH`,
 * `--check-config` (validate and exit), `--console` (also chat on stdin/stdout).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp, type App } from './app.ts';
import { formatProblems, loadConfigFile, redactConfig, validateConfig, type ConfigResult } from './core/config.ts';
import { checkConfigFiles } from './core/config-files.ts';
import { DatabaseOpenError } from './core/db.ts';
import { createLogger } from './core/logger.ts';
import type { DemoHomelab } from './demo/index.ts';
import { AREAS, demoBackendsOf } from './wiring/areas.ts';
import type { HouseholdSeed } from './wiring/module.ts';

const DEFAULT_CONFIG = 'data/config.yaml';
const SHUTDOWN_LIMIT_MS = 9500;

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
    const result = withFileChecks(loadConfigFile(path));
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
  let household: HouseholdSeed | undefined;
  let tempDir: string | undefined;
  let result: ConfigResult;
  if (demo) {
    // The simulated homelab (about 3k lines of fakes) loads only in demo mode: a separate chunk of the bundle.
    // Each area names its own fakes (AreaDescriptor.demo); they load here, not at start-up.
    const [{ startDemoHomelab }, { demoHousehold }, backends] = await Promise.all([
      import('./demo/index.ts'),
      import('./demo/household.ts'),
      demoBackendsOf(AREAS),
    ]);
    homelab = await startDemoHomelab(backends);
    household = demoHousehold();
    tempDir = mkdtempSync(join(tmpdir(), 'homelab-demo-'));
    result = validateConfig({ ...homelab.config, database: join(tempDir, 'demo.db'), console: true, health: { port: 0 } });
    process.stdout.write(
      'Demo mode: a simulated homelab on 127.0.0.1 and a temporary database. Type /help. ' +
        `To use your real homelab, copy data/config.example.yaml to ${DEFAULT_CONFIG} and fill it in.\n\n`,
    );
  } else {
    result = withFileChecks(loadConfigFile(path));
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
      // The app bounds its own stop; this is the backstop under the 10 s a container runtime allows.
      setTimeout(() => {
        log.error('shutdown took too long; exiting anyway (queued alerts stay in the outbox)');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
      await app?.stop();
      await homelab?.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  let started: Promise<void> | undefined;
  const ended = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => void shutdown('SIGTERM').then(resolve));
    process.once('SIGINT', () => void shutdown('SIGINT').then(resolve));
    const useConsole = demo || values.console || config.console;
    started = startApp({
      config: { ...config, console: useConsole },
      log,
      demo,
      warmUp: true,
      ...(homelab ? { simulate: (scenario: string) => homelab.simulate(scenario) } : {}),
      ...(household ? { household } : {}),
      ...(useConsole
        ? { console: { input: process.stdin, output: process.stdout, onEnd: () => void shutdown('end of input').then(resolve) } }
        : {}),
    })
      .then(async (a) => {
        app = a;
        if (stopping) await a.stop();
        log.info({ healthPort: a.healthPort }, 'bot started');
      })
      .catch(async (e: unknown) => {
        process.exitCode = 1;
        // One line a person can act on (also when the console is the chat); the details go to the log.
        process.stderr.write(`Start-up failed: ${startupFailure(e)}\n`);
        log.debug({ err: e }, 'start-up failed');
        await shutdown('start-up failed');
        resolve();
      });
  });
  await ended;
  // The console may end (EOF) before a failing start-up settles: the exit code waits for both.
  await started;
  return Number(process.exitCode ?? 0);
}

/** Schema-valid configs also need their files: SSH keys that exist, a database folder that can be made. */
function withFileChecks(result: ConfigResult): ConfigResult {
  if (!result.ok) return result;
  const problems = checkConfigFiles(result.config);
  return problems.length ? { ok: false, problems } : result;
}

/** A start-up failure in one line: what went wrong and what to check, never a stack. */
function startupFailure(e: unknown): string {
  if (e instanceof DatabaseOpenError) return e.message;
  const err = e as { error_code?: number; method?: string; code?: string; message?: string };
  if (err.error_code === 401 || (err.error_code === 404 && err.method === 'getMe'))
    return 'Telegram rejected the bot token (401 Unauthorized): copy telegram.token again from @BotFather.';
  if (err.code === 'TokenInvalid')
    return 'Discord rejected the bot token: copy discord.token again from the Developer Portal (Bot → Reset Token).';
  if (err.code === 'EADDRINUSE') return `the health port is already in use (${err.message ?? ''}): choose another health.port.`;
  return (err.message ?? String(e)).split('\n')[0]!;
}

/**
 * The container HEALTHCHECK: asks the running bot's /healthz on the port its configuration names.
 * Through node:http, which the bundle loads anyway: Node's fetch would load Node's internal
 * undici and web streams in this process the container starts every 30 s.
 */
function checkHealth(health: { host: string; port: number }): Promise<boolean> {
  const host = health.host === '0.0.0.0' || health.host === '::' ? '127.0.0.1' : health.host;
  return new Promise((resolve) => {
    const req = httpGet({ host, port: health.port, path: '/healthz', timeout: 4000 }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 4 s')));
    req.on('error', () => resolve(false));
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fatal: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
