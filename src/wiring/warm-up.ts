/**
 * Warm-up once start-up is over: /help and /status, the commands people send most, run a few
 * hundred times in every catalogue language through a pipeline of their own, as an owner-role
 * caller that exists only in memory, in a console chat no one reads, into a sink that renders the
 * reply and drops it. V8 compiles and optimises that code and the catalogue and reply caches fill
 * while the bot is idle, so its memory is taken in the first seconds rather than over the first
 * few thousand commands (RSS stays flat from then on), and the first /status after a restart
 * answers warm.
 *
 * It leaves no trace: its buttons' tokens are never stored, both commands are read-only (the
 * pipeline audits only changes and denials), it never goes through the dispatch step that notes
 * names, languages, strangers and rate limits, and nothing is sent anywhere.
 */
import { LANGUAGES } from '../core/i18n.ts';
import type { OutMessage } from '../core/outmessage.ts';
import { Pipeline, type PipelineDeps } from '../handlers/pipeline.ts';
import type { Principal } from '../permissions/people.ts';

/**
 * Runs of each command per language. About 300 are what it takes (measured by `npm run bench --
 * memory`: at 150, a third of the growth was still left for the first commands); about 0.1 s of
 * CPU, once.
 */
export const WARM_UP_ROUNDS = 300;
/** The commands warmed: the two every person sends most. */
const COMMANDS = ['help', 'status'] as const;
const CHAT = { platform: 'console', id: 'warm-up', kind: 'private' } as const;
/** Not a person: person id -1 matches no row, so per-person parts of a reply come out empty. */
const CALLER: Principal = { personId: -1, identity: 'console:warm-up', role: 'owner', displayName: 'warm-up' };
const NO_HANDLE = { edit: async () => undefined };
/** Buttons made during the warm-up: never stored, never pressable. */
const NO_TOKENS: PipelineDeps['tokens'] = {
  create: () => 'warm-up',
  take: () => ({ ok: false, reason: 'unknown' }),
};

/** What the warm-up needs: the real pipeline's dependencies, the platform's renderer, and the bot's stop. */
export interface WarmUpDeps {
  readonly deps: PipelineDeps;
  /** Renders a reply as the platform would send it (the result is dropped). */
  readonly render: (m: OutMessage) => unknown;
  /** Aborted when the bot stops: the warm-up ends at once, even in the middle of a run. */
  readonly signal: AbortSignal;
  readonly rounds?: number;
}

/** How far the warm-up got, and whether it ran every round (false: the bot stopped first). */
export interface WarmUpOutcome {
  readonly runs: number;
  readonly complete: boolean;
}

/**
 * Runs the warm-up, yielding to the event loop after each round (a real message never waits long); never throws.
 * A stop ends it at once: a /status waiting on a backend's first answer is left behind rather than
 * waited for, so the bot's stop never waits on a hung backend, and what that run does when the
 * answer comes is nothing (its reply is not even rendered).
 */
export async function warmUp(w: WarmUpDeps): Promise<WarmUpOutcome> {
  const pipeline = new Pipeline({ ...w.deps, tokens: NO_TOKENS });
  const sink = {
    send: async (m: OutMessage) => {
      if (!w.signal.aborted) w.render(m);
      return NO_HANDLE;
    },
  };
  const commands = COMMANDS.map((name) => w.deps.registry.get(name)).filter((c) => c !== undefined);
  // One abort listener for the whole warm-up ends whichever run is waiting (a listener added and
  // removed per run cost more CPU than the runs' own awaits).
  let interrupt: (() => void) | undefined;
  const onAbort = (): void => interrupt?.();
  w.signal.addEventListener('abort', onAbort, { once: true });
  let runs = 0;
  try {
    for (let i = 0; i < (w.rounds ?? WARM_UP_ROUNDS); i++) {
      for (const lang of LANGUAGES) {
        const t = w.deps.messages.forLanguage(lang);
        for (const command of commands) {
          if (w.signal.aborted) return { runs, complete: false };
          const run = pipeline.run({ command, raw: {}, caller: CALLER, chat: CHAT, lang, t, sink });
          const outcome = await new Promise<'done' | 'aborted'>((resolve, reject) => {
            interrupt = () => resolve('aborted');
            if (w.signal.aborted) resolve('aborted');
            // Left behind on abort: a later failure lands here, on a settled promise, handled.
            run.then(() => resolve('done'), reject);
          });
          if (outcome === 'aborted') return { runs, complete: false };
          runs++;
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    w.deps.log.warn({ err: e }, 'warm-up ended early');
    return { runs, complete: false };
  } finally {
    w.signal.removeEventListener('abort', onAbort);
    interrupt = undefined;
  }
  return { runs, complete: true };
}
