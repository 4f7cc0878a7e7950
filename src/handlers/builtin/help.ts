/**
 * /help: what the asker may run here, grouped by area. A list that fits one message with room
 * to spare is shown whole; a longer one (an owner's, in Spanish) is an overview — the general
 * commands, then one line and one button per area — and `/help <area>` shows one area, so no
 * reply ever needs more than one Telegram message (4,096 characters).
 */
import { chatStorageKey } from '../../core/chat-address.ts';
import type { Messages, Translate } from '../../core/i18n.ts';
import { toPlainText, type Action, type Block, type OutMessage } from '../../core/outmessage.ts';
import type { AccessControl } from '../../permissions/access.ts';
import type { Role } from '../../permissions/roles.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import type { CommandRegistry } from '../registry.ts';
import { argLabels, usageLine } from '../usage.ts';

/** The longest help shown whole; Telegram's limit is 4,096, the rest is headroom for markup and growth. */
export const HELP_WHOLE_LIMIT = 3000;
/** The area whose commands the overview always lists (/start, /help, /status…). */
const GENERAL = 'bot';
const BUTTONS_PER_ROW = 2;
/**
 * Lifetime of an area button. ActionTokens hands back a token while half its life is left, and a
 * reader's set is shown again for a quarter of it: every token shown has at least 6 h left.
 */
const AREA_BUTTON_TTL_MS = 24 * 3_600_000;
/** Readers whose area buttons are remembered per role and language (oldest dropped first). */
const BUTTON_SETS_MAX = 1000;

/** What /help reads: the commands, who may run them here, and the catalogues. */
export interface HelpDeps {
  readonly registry: () => CommandRegistry;
  readonly access: AccessControl;
  readonly messages: Messages;
}

/** One area of the help: its id, its title in the reader's language, one line per command. */
interface Section {
  readonly area: string;
  readonly title: string;
  readonly lines: readonly string[];
}

/**
 * What /help shows one role in one language, built once: the sections, and either the whole
 * list (when it fits) or the overview's text (its buttons are made per reader: they carry tokens).
 */
interface Rendered {
  readonly sections: readonly Section[];
  readonly whole: OutMessage | undefined;
  readonly overview: { readonly title: string; readonly blocks: readonly Block[]; readonly areas: readonly Section[] };
  /**
   * The overview's button rows per reader (identity and chat), made through `ctx.action` and
   * shown again for a quarter of their lifetime: never another reader's, never an expired one;
   * dropped with the rest when grants or the commands change.
   */
  readonly buttons: Map<string, { readonly rows: readonly (readonly Action[])[]; readonly until: number }>;
}

/** Builds /help. */
export function helpCommand(deps: HelpDeps): AnyCommand {
  // Rendered per effective role and language, rebuilt only when grants (ceilings included) or the
  // command list change: the effective role already folds in the chat's ceiling.
  const cache = new Map<string, Rendered>();
  let stamp = '';
  const renderedFor = (role: Role, t: Translate, lang: string): Rendered => {
    const registry = deps.registry();
    const now = `${deps.access.grantsGeneration}/${registry.generation}`;
    if (now !== stamp) {
      cache.clear();
      stamp = now;
    }
    const key = `${role}/${lang}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const rendered = render(buildSections(deps, registry, role, t), t);
    cache.set(key, rendered);
    return rendered;
  };

  return defineCommand({
    name: 'help',
    group: GENERAL,
    summaryKey: 'builtin.help.summary',
    args: { area: arg.string({ descriptionKey: 'builtin.help.area', required: false, maxLength: 40 }) },
    permission: 'bot.help.read',
    async run(ctx, { area }) {
      const role = deps.access.effectiveRole(ctx.principal, ctx.chat);
      const rendered = renderedFor(role, ctx.t, ctx.lang);
      if (area !== undefined) return areaReply(ctx, rendered.sections, area);
      return rendered.whole ? { ...rendered.whole } : withButtons(ctx, rendered);
    },
  });
}

function render(sections: readonly Section[], t: Translate): Rendered {
  const whole: OutMessage = { title: t('builtin.help.title'), blocks: sections.flatMap(sectionBlocks) };
  return {
    sections,
    whole: toPlainText(whole).length <= HELP_WHOLE_LIMIT ? whole : undefined,
    overview: overview(sections, t),
    buttons: new Map(),
  };
}

function buildSections(deps: HelpDeps, registry: CommandRegistry, role: Role, t: Translate): Section[] {
  const label = argLabels(deps.messages, t);
  // One grants lookup for the whole list (not one per command).
  const held = role === 'owner' ? undefined : new Set<string>(deps.access.permissionsOf(role));
  const byArea = new Map<string, string[]>();
  for (const c of registry.all()) {
    if (c.hidden || (held && !held.has(c.permission))) continue;
    byArea.set(c.group, [...(byArea.get(c.group) ?? []), `${usageLine(c, label)} — ${t(c.summaryKey)}`]);
  }
  return [...byArea].map(([area, lines]) => {
    const key = `group.${area}`;
    return { area, title: deps.messages.has(key) ? t(key) : area, lines };
  });
}

function sectionBlocks(s: Section): Block[] {
  return [
    { kind: 'text', text: s.title },
    { kind: 'list', items: s.lines },
  ];
}

/** The general commands in full, then one line per other area (and one button each: withButtons). */
function overview(sections: readonly Section[], t: Translate): Rendered['overview'] {
  const general = sections.filter((s) => s.area === GENERAL);
  const areas = sections.filter((s) => s.area !== GENERAL);
  return {
    title: t('builtin.help.title'),
    blocks: [
      ...general.flatMap(sectionBlocks),
      { kind: 'text', text: t('builtin.help.areas') },
      { kind: 'list', items: areas.map((s) => t('builtin.help.areaLine', { title: s.title, area: s.area, n: s.lines.length })) },
    ],
    areas,
  };
}

/** The overview with this reader's buttons, one per area (`/help <area>`), made again once theirs were shown a quarter of their life. */
function withButtons(ctx: CommandContext, r: Rendered): OutMessage {
  const o = r.overview;
  const reader = `${ctx.principal.identity}\n${chatStorageKey(ctx.chat)}`;
  const now = ctx.now();
  let set = r.buttons.get(reader);
  if (!set || now >= set.until) {
    const buttons: Action[] = o.areas.map((s) => ctx.action(s.title, 'help', { area: s.area }, { ttlMs: AREA_BUTTON_TTL_MS }));
    const rows: Action[][] = [];
    for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) rows.push(buttons.slice(i, i + BUTTONS_PER_ROW));
    set = { rows, until: now + AREA_BUTTON_TTL_MS / 4 };
    r.buttons.delete(reader);
    r.buttons.set(reader, set);
    if (r.buttons.size > BUTTON_SETS_MAX) r.buttons.delete(r.buttons.keys().next().value!);
  }
  // The kept blocks themselves (immutable): the platform renders a list it has seen once, not per reader.
  return { title: o.title, blocks: o.blocks, actions: set.rows };
}

/** One area's commands; an unknown area names the ones there are. */
function areaReply(ctx: CommandContext, sections: readonly Section[], asked: string): OutMessage {
  const wanted = asked.trim().toLowerCase().replace(/_/g, '-');
  const hit = sections.find((s) => s.area === wanted || s.title.toLowerCase() === wanted);
  if (!hit) {
    return {
      severity: 'warning',
      blocks: [{ kind: 'text', text: ctx.t('builtin.help.noArea', { area: asked, areas: sections.map((s) => s.area).join(', ') }) }],
    };
  }
  return { title: `${ctx.t('builtin.help.title')}: ${hit.title}`, blocks: [{ kind: 'list', items: hit.lines }] };
}
