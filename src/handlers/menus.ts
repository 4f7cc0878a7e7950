/**
 * The command menus a chat platform shows (Telegram's "/" menu): each known person's private
 * chat lists exactly the commands their role may use, in their language; everyone else (and
 * every group) gets the lowest role's list, in each language. Platform-neutral: the adapter
 * turns entries into its own calls (Telegram's setMyCommands with a scope and language_code).
 */
import { LANGUAGES, type Language, type Messages } from '../core/i18n.ts';
import type { AccessControl } from '../permissions/access.ts';
import type { GrantsStore } from '../permissions/grants.ts';
import type { PeopleStore } from '../permissions/people.ts';
import { ROLES, type Role } from '../permissions/roles.ts';
import type { CommandRegistry } from './registry.ts';

/** One menu line: the command as typed (`pihole_pause`) and its summary. */
export interface MenuCommand {
  readonly command: string;
  readonly description: string;
}

/** One menu: for a person's private chat (`chatId`) or for everyone, for one language code or any. */
export interface MenuEntry {
  /** The person's private chat id on the platform; absent: the default menu. */
  readonly chatId?: string;
  /** Shown to clients in this language; absent: clients in any other language. */
  readonly languageCode?: Language;
  readonly commands: readonly MenuCommand[];
}

/** The menus wanted now, and a way to hear when they may have changed. */
export interface CommandMenus {
  /** Changes whenever a menu could: a person, role, language, grant or command changed. */
  stamp(): string;
  /** Every menu for one platform (`telegram`). */
  entries(platform: string): MenuEntry[];
  /** Calls `listener` after a change to people or grants; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** What the platform command menus are built from: commands, roles and chat ceilings, languages, size limits. */
export interface MenuDeps {
  readonly registry: () => CommandRegistry;
  readonly access: AccessControl;
  readonly people: PeopleStore;
  readonly grants: GrantsStore;
  readonly messages: Messages;
  readonly defaultLanguage: Language;
  /** Longest menu the platform accepts (Telegram: 100), and the longest description (256). */
  readonly maxCommands?: number;
  readonly maxDescription?: number;
}

/** The lowest role: what a stranger, a guest and a group see before anything else applies. */
const LOWEST: Role = ROLES[ROLES.length - 1]!;

/** Builds the menus over the live registry and permission stores. */
export function commandMenus(deps: MenuDeps): CommandMenus {
  const maxCommands = deps.maxCommands ?? 100;
  const maxDescription = deps.maxDescription ?? 256;
  const listFor = (role: Role, lang: Language): MenuCommand[] => {
    const held = role === 'owner' ? undefined : new Set<string>(deps.access.permissionsOf(role));
    const t = deps.messages.forLanguage(lang);
    return deps
      .registry()
      .all()
      .filter((c) => !c.hidden && !c.buttonOnly && (!held || held.has(c.permission)))
      .map((c) => ({ command: c.name.replace(/-/g, '_'), description: t(c.summaryKey).slice(0, maxDescription) }))
      .slice(0, maxCommands);
  };
  return {
    stamp: () => `${deps.people.generation}/${deps.grants.generation}/${deps.registry().generation}`,
    entries(platform) {
      const out: MenuEntry[] = [{ commands: listFor(LOWEST, deps.defaultLanguage) }];
      for (const lang of LANGUAGES) out.push({ languageCode: lang, commands: listFor(LOWEST, lang) });
      for (const person of deps.people.all()) {
        for (const identity of person.identities) {
          const [p, chatId] = identity.split(':');
          if (p !== platform || !chatId) continue;
          // The order replies use (Pipeline.languageFor): the /lang choice, else the language the
          // client sends (Telegram picks the language_code list), else for a client that sends
          // none (the list without a code) the app language stored from earlier messages, else the default.
          const chosen = deps.access.getLanguage(identity);
          out.push({ chatId, commands: listFor(person.role, deps.access.languageOf(identity) ?? deps.defaultLanguage) });
          for (const lang of LANGUAGES) out.push({ chatId, languageCode: lang, commands: listFor(person.role, chosen ?? lang) });
        }
      }
      return out;
    },
    onChange(listener) {
      const off = [deps.people.onWrite(listener), deps.grants.onWrite(listener)];
      return () => off.forEach((f) => f());
    },
  };
}
