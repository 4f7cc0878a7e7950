/**
 * The composition root: config → db → permissions → modules (services + handlers) →
 * pipeline → adapters → background work. Nothing else sees every layer, and there are no
 * module-level singletons: tests start as many independent apps as they like.
 */
import { performance } from 'node:perf_hooks';
import { systemClock, systemScheduler, type Clock, type Scheduler } from './core/clock.ts';
import type { Config } from './core/config.ts';
import { formatAddress } from './core/chat-address.ts';
import { isWritable, openDatabase, type Db } from './core/db.ts';
import { DeadlineStore, DeadlineWorker } from './core/deadlines.ts';
import { assessHealth } from './core/health.ts';
import { startHealthServer } from './core/health-server.ts';
import { Heartbeat } from './core/heartbeat.ts';
import { Messages } from './core/i18n.ts';
import type { Logger } from './core/logger.ts';
import type { ChatAdapter } from './bot/adapter.ts';
import { CONSOLE_IDENTITY, ConsoleAdapter } from './bot/console/adapter.ts';
import { AdapterLink } from './bot/link.ts';
import { TelegramAdapter } from './bot/telegram/adapter.ts';
import { renderTelegramHtml } from './bot/telegram/render.ts';
import { commandMenus } from './handlers/menus.ts';
import { builtinCommands } from './handlers/builtin/commands.ts';
import type { StatusSection } from './handlers/builtin/status-section.ts';
import { Pipeline, type PipelineDeps } from './handlers/pipeline.ts';
import { CommandRegistry } from './handlers/registry.ts';
import type { AccessControl } from './permissions/access.ts';
import { openPermissions, type Permissions } from './permissions/open.ts';
import { ActionTokens } from './permissions/action-tokens.ts';
import { AuditLog } from './permissions/audit.ts';
import { allMessageFragments } from './wiring/messages.ts';
import { allMigrations } from './wiring/migrations.ts';
import type { FeatureModule, HouseholdSeed, WiringContext } from './wiring/module.ts';
import { buildModules } from './wiring/modules.ts';
import { createAlerting } from './wiring/alerts.ts';
import { AREAS, backendsOf } from './wiring/areas.ts';
import { permissionsArea } from './wiring/permissions.ts';
import { proxmoxArea } from './wiring/proxmox.ts';
import { routerArea } from './wiring/router.ts';
import { warmUp } from './wiring/warm-up.ts';

/** How the composition root starts the bot: validated config, logger, clock, and the modes (demo, console). */
export interface AppOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Timers that tests move with the clock (the Telegram menus' retries); default real timers. */
  readonly scheduler?: Scheduler;
  /** Demo mode: simulated homelab, console acts as owner. */
  readonly demo?: boolean;
  /** Console adapter streams (stdin/stdout in a terminal; buffers in tests). */
  readonly console?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; onEnd?: () => void; languageCode?: string };
  /** Strict message lookups (tests): a missing key throws instead of falling back. */
  readonly strictMessages?: boolean;
  /** Additional feature modules (plugins; tests add commands that exercise adapters). */
  readonly extraModules?: readonly FeatureModule[];
  /** Demo mode: plays a scenario on the simulated homelab (/simulate). */
  readonly simulate?: (scenario: string) => boolean;
  /** Demo mode: the simulated household's people (enrolled once) and devices (assigned to them). */
  readonly household?: HouseholdSeed;
  /** Warm the hot command path once the platforms are up (the program does; tests stay cold and quiet). */
  readonly warmUp?: boolean;
}

/** A running bot. */
export interface App {
  readonly db: Db;
  readonly pipeline: Pipeline;
  readonly registry: CommandRegistry;
  readonly access: AccessControl;
  /** The permission stores and the guarded changes over them (tests enrol people and grant here). */
  readonly permissions: Permissions;
  readonly messages: Messages;
  readonly adapters: readonly ChatAdapter[];
  readonly modules: readonly FeatureModule[];
  readonly healthPort: number | undefined;
  /** Graceful stop: adapters stop receiving and finish in-flight work, workers stop, db closes. */
  stop(): Promise<void>;
}

/** Shutdown budget per phase: together well under the 10 s a container runtime waits before SIGKILL. */
const STOP_ADAPTERS_MS = 4000;
const STOP_WORKERS_MS = 4000;
/** The warm-up waits this long after start-up, so it never competes with connecting. */
const WARM_UP_AFTER_MS = 1000;

/** Waits for `p`, or `ms` at most (then calls `onLate`); never rejects. */
async function settleWithin(p: Promise<unknown>, ms: number, onLate?: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), ms);
  });
  const outcome = await Promise.race([
    p.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (outcome === 'late') onLate?.();
}

/**
 * Stops every module side by side, each bounding its own backend calls (Pi-hole's logout 3 s,
 * OMV's 2 s): the slowest sets the time, not their sum. `stopping` holds the names not done yet.
 */
async function stopModules(
  modules: readonly FeatureModule[],
  onError: (name: string) => (e: unknown) => void,
  stopping = new Set<string>(),
): Promise<void> {
  await Promise.all(
    modules.map(async (m) => {
      if (!m.stop) return;
      stopping.add(m.name);
      await m.stop().catch(onError(m.name));
      stopping.delete(m.name);
    }),
  );
}

/** Owner identities from every place the config names them. */
function ownerIdentities(config: Config, withConsole: boolean): string[] {
  const owners = new Set(config.permissions.owners);
  for (const id of config.telegram?.ownerIds ?? []) owners.add(formatAddress('telegram', id));
  for (const id of config.discord?.ownerIds ?? []) owners.add(formatAddress('discord', id));
  if (withConsole) owners.add(CONSOLE_IDENTITY);
  return [...owners];
}

/** Starts the bot described by `config`. */
export async function startApp(opts: AppOptions): Promise<App> {
  const { config, log } = opts;
  const clock = opts.clock ?? systemClock;
  const scheduler = opts.scheduler ?? systemScheduler;
  const messages = new Messages(allMessageFragments, {
    strict: opts.strictMessages ?? false,
    onMissing: (key, lang) => log.warn({ key, lang }, 'missing message key'),
  });
  const db = openDatabase(config.database, allMigrations);
  const withConsole = Boolean(opts.console) && (opts.demo || config.console);
  const permissions = openPermissions(db, clock, {
    owners: ownerIdentities(config, withConsole),
    rateLimit: { perMinute: config.permissions.rateLimitPerMinute },
    chatCeilings: config.permissions.chats,
  });
  const { access } = permissions;
  for (const p of opts.household?.people ?? []) {
    if (!permissions.people.resolve(p.identity)) permissions.people.enroll(p.identity, p.displayName, p.role);
  }
  const tokens = new ActionTokens(db, clock);
  const audit = new AuditLog(db);

  const adapters: ChatAdapter[] = [];
  // Notifications and alerts go through the SQLite outbox: retried, ordered, never silently dropped.
  const alerting = createAlerting({
    config,
    db,
    clock,
    log,
    messages,
    access,
    tokens,
    backends: backendsOf(AREAS),
    adapters: () => adapters,
    permissionOf: (command) => late.registry?.get(command)?.permission,
  });
  const notify = alerting.notify;
  const shared: WiringContext['shared'] = {
    access,
    permissions,
    audit,
    tokens,
    registry: () => late.registry!,
    pipeline: () => late.pipeline!,
    telegramUsername: () => adapters.find((a): a is TelegramAdapter => a instanceof TelegramAdapter)?.username,
  };
  const deadlineStore = new DeadlineStore(db);
  const deadlines = {
    store: deadlineStore,
    worker: new DeadlineWorker(deadlineStore, clock, log.child({ worker: 'deadlines' }), undefined, (row) => audit.record(row)),
  };
  const wiring: WiringContext = {
    config,
    db,
    clock,
    scheduler,
    log,
    messages,
    demo: Boolean(opts.demo),
    ...(opts.household ? { household: opts.household } : {}),
    notify,
    announce: alerting.announce,
    deadlines,
    shared,
    ...(opts.simulate ? { simulate: opts.simulate } : {}),
  };
  const areas = await buildModules(wiring);
  const modules = [...areas.all, ...(opts.extraModules ?? [])];
  // One-off capabilities come from the one area that has them, named here rather than searched for.
  modules.push(alerting.module(wiring, modules, areas.of(proxmoxArea)?.powerController, areas.of(routerArea)?.wakeNode));

  // /help lists the registry that contains /help itself, hence the late-bound reference.
  const late: { registry?: CommandRegistry; pipeline?: Pipeline } = {};
  // Listed again only when a module joins (Discord, once connected), not on every /status.
  let sections: { count: number; list: StatusSection[] } = { count: -1, list: [] };
  const statusSections = (): StatusSection[] => {
    if (sections.count !== modules.length) sections = { count: modules.length, list: modules.flatMap((m) => m.statusSections ?? []) };
    return sections.list;
  };
  const builtins = builtinCommands({
    registry: () => late.registry!,
    access,
    people: permissions.people,
    messages,
    statusSections,
    acceptInvite: areas.of(permissionsArea)?.acceptInvite,
    awaitingOwner: () => !permissions.setup.hasOwner(),
  });
  const registry = (late.registry = new CommandRegistry([...builtins, ...modules.flatMap((m) => m.commands)]));
  permissions.grants.ensureKnown(registry.permissions());

  if (!permissions.setup.hasOwner()) {
    const code = permissions.setup.createCode();
    if (code) log.warn({ setupCode: code }, `no owner is configured: send "/setup ${code}" to the bot to become its owner (one time)`);
  }

  const pipelineDeps: PipelineDeps = {
    registry,
    access,
    people: permissions.people,
    tokens,
    audit,
    messages,
    clock,
    log,
    defaultLanguage: config.language,
    onUnknownUser: (identity, displayName) => {
      for (const m of modules) m.onUnknownUser?.(identity, displayName);
    },
  };
  const pipeline = (late.pipeline = new Pipeline(pipelineDeps, {
    // The first area that offers something on a denial answers it (the permissions area's "ask an admin").
    onDenied: (req, tools) => {
      for (const m of modules) {
        const offer = m.pipelineHooks?.onDenied?.(req, tools);
        if (offer) return offer;
      }
      return undefined;
    },
  }));

  if (config.telegram) {
    const menus = commandMenus({
      registry: () => registry,
      access,
      people: permissions.people,
      grants: permissions.grants,
      messages,
      defaultLanguage: config.language,
    });
    adapters.push(
      new TelegramAdapter(
        {
          token: config.telegram.token,
          ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
          menus,
          clock,
          scheduler,
        },
        pipeline,
        log.child({ adapter: 'telegram' }),
      ),
    );
  }
  if (withConsole && opts.console) adapters.push(new ConsoleAdapter(opts.console, pipeline));

  // Chat platforms connect in the background: the database, workers and /healthz never wait for them.
  const links = adapters.map((a) => new AdapterLink(a, log.child({ adapter: a.platform }), clock));
  const healthBody = () =>
    assessHealth(
      {
        now: clock.now(),
        links: Object.fromEntries(links.filter((l) => l.adapter.platform !== 'console').map((l) => [l.adapter.platform, l.facts()])),
        outbox: alerting.service.outbox.depth(clock.now()),
        databaseWritable: isWritable(db),
      },
      { adapterDownMs: config.health.adapterDownSeconds * 1000, oldestPendingMs: config.health.oldestPendingSeconds * 1000 },
    );
  const heartbeat = config.health.heartbeatUrl
    ? new Heartbeat({
        url: config.health.heartbeatUrl,
        intervalMs: config.health.heartbeatIntervalSeconds * 1000,
        timeoutMs: config.health.heartbeatTimeoutSeconds * 1000,
        healthy: () => healthBody().ok,
        log: log.child({ worker: 'heartbeat' }),
      })
    : undefined;
  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  let stopped = false;
  let cancelWarmUp: (() => void) | undefined;
  // Aborted by stop: a warm-up under way ends at once and is awaited before the database closes.
  const warmUpStop = new AbortController();
  let warmingUp: Promise<void> | undefined;
  try {
    for (const m of modules) await m.start?.();
    deadlines.worker.start();
    health =
      config.health.port >= 0 && !opts.demo ? await startHealthServer(config.health.host, config.health.port, healthBody) : undefined;
    for (const link of links) link.connect();
    // Only a rejected token fails start-up; an unreachable platform keeps retrying behind the scenes.
    // Everything above already runs: a hung platform delays only this promise, by one bounded attempt.
    await Promise.all(links.map((l) => l.first));
    // discord.js is heavy (about 1 s of CPU and 15 MB to load): loaded only for a Discord setup,
    // and only once Telegram polls, so Discord's login never delays Telegram's first getUpdates.
    // The production bundle is CommonJS (code cache), where this import is a synchronous require:
    // one event-loop turn first lets the runner's first getUpdates reach the socket before it.
    if (config.discord) await new Promise<void>((resolve) => setImmediate(resolve));
    const discord = config.discord
      ? (await import('./wiring/discord.ts')).discordAdapter({ config, log, messages, pipeline, registry, access, modules })
      : undefined;
    if (discord) {
      adapters.push(discord.adapter);
      modules.push(discord.module);
      const link = new AdapterLink(discord.adapter, log.child({ adapter: 'discord' }), clock);
      links.push(link);
      await discord.module.start?.();
      link.connect();
      await link.first;
    }
    heartbeat?.start();
    // Once start-up is over (the first getUpdates and Discord's login went first), off the hot path.
    if (opts.warmUp) {
      cancelWarmUp = scheduler.after(WARM_UP_AFTER_MS, () => {
        const t0 = performance.now();
        warmingUp = warmUp({
          deps: pipelineDeps,
          render: config.telegram ? (m) => renderTelegramHtml(m) : () => undefined,
          signal: warmUpStop.signal,
        }).then(({ runs, complete }) =>
          log.info({ runs, ms: Math.round(performance.now() - t0) }, complete ? 'warm-up done' : 'warm-up stopped'),
        );
      });
    }
  } catch (e) {
    // Leave nothing running or open behind a failed start (wrong token, port in use…).
    for (const l of links) await l.stop().catch(() => undefined);
    await deadlines.worker.stop();
    await stopModules(modules, () => () => undefined);
    await health?.close();
    db.close();
    throw e;
  }

  return {
    db,
    pipeline,
    registry,
    access,
    permissions,
    messages,
    adapters,
    modules,
    healthPort: health?.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      cancelWarmUp?.();
      warmUpStop.abort();
      // Bounded whatever the network does (SIGTERM must return within 10 s): adapters, then
      // workers and modules (all modules at once), each phase given a budget; what hangs is
      // abandoned, queued alerts stay in the outbox for the next start.
      heartbeat?.stop();
      const warnStop = (what: string) => (e: unknown) => log.warn({ err: e, what }, 'stop failed');
      await settleWithin(Promise.all(links.map((l) => l.stop().catch(warnStop(l.adapter.platform)))), STOP_ADAPTERS_MS, () =>
        log.warn('chat adapters did not stop in time; leaving them behind'),
      );
      const stopping = new Set<string>();
      await settleWithin(
        (async () => {
          await deadlines.worker.stop();
          await stopModules(modules, warnStop, stopping);
        })(),
        STOP_WORKERS_MS,
        () => log.warn({ stopping: [...stopping] }, 'workers did not stop in time; leaving them behind'),
      );
      await settleWithin(health?.close() ?? Promise.resolve(), 500);
      // Ended by the abort above without waiting on any backend (a run still waiting is left behind and writes nothing).
      await warmingUp;
      db.close();
    },
  };
}
