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

/** What the warm-up needs: the real pipeline's dependencies, the platform's renderer, and whether the bot stopped. */
export interface WarmUpDeps {
  readonly deps: PipelineDeps;
  /** Renders a reply as the platform would send it (the result is dropped). */
  readonly render: (m: OutMessage) => unknown;
  readonly stopped: () => boolean;
  readonly rounds?: number;
}

/** Runs the warm-up, yielding to the event loop after each round (a real message never waits long); never throws. */
export async function warmUp(w: WarmUpDeps): Promise<{ runs: number }> {
  const pipeline = new Pipeline({ ...w.deps, tokens: NO_TOKENS });
  const sink = { send: async (m: OutMessage) => (w.render(m), NO_HANDLE) };
  const commands = COMMANDS.map((name) => w.deps.registry.get(name)).filter((c) => c !== undefined);
  let runs = 0;
  try {
    for (let i = 0; i < (w.rounds ?? WARM_UP_ROUNDS); i++) {
      for (const lang of LANGUAGES) {
        const t = w.deps.messages.forLanguage(lang);
        for (const command of commands) {
          if (w.stopped()) return { runs };
          await pipeline.run({ command, raw: {}, caller: CALLER, chat: CHAT, lang, t, sink });
          runs++;
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    w.deps.log.warn({ err: e }, 'warm-up ended early');
  }
  return { runs };
}
