import { isPermission, type Permission } from '../permissions/permissions.ts';
import type { AnyCommand } from './command.ts';

/** Why a command was refused at start-up. */
export class CommandRegistrationError extends Error {
  override name = 'CommandRegistrationError';
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** Command names: Telegram ends a command at `-`, so visible names use `_` (both platforms accept it). */
const COMMAND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** `pihole-pause` and `pihole_pause` are one command: the old spelling keeps working (typed, buttons, approvals). */
const key = (name: string): string => name.toLowerCase().replace(/-/g, '_');

/**
 * Every command the bot knows, checked once at start-up: unique names valid on both
 * platforms, a well-formed permission on each, argument names Discord accepts.
 */
export class CommandRegistry {
  private readonly byName = new Map<string, AnyCommand>();
  private gen = 0;

  constructor(commands: readonly AnyCommand[] = []) {
    for (const c of commands) this.add(c);
  }

  /** Adds a command or throws CommandRegistrationError. */
  add(c: AnyCommand): void {
    if (!COMMAND_NAME.test(c.name)) throw new CommandRegistrationError(`command name "${c.name}" must be lower-case a-z0-9_- (max 32)`);
    if (this.byName.has(key(c.name))) throw new CommandRegistrationError(`command /${c.name} is registered twice`);
    if (typeof c.permission !== 'string' || !isPermission(c.permission)) {
      throw new CommandRegistrationError(`command /${c.name} has no valid permission (expected service.resource.verb)`);
    }
    const names = Object.keys(c.args);
    for (const [i, n] of names.entries()) {
      if (!NAME.test(n)) throw new CommandRegistrationError(`argument "${n}" of /${c.name} must be lower-case a-z0-9-`);
      const def = c.args[n];
      if (def?.rest && i !== names.length - 1) throw new CommandRegistrationError(`only the last argument of /${c.name} may take the rest`);
    }
    this.byName.set(key(c.name), c);
    this.gen++;
  }

  /** Bumped by every added command: what is derived from the list (/help) keys on it. */
  get generation(): number {
    return this.gen;
  }

  get(name: string): AnyCommand | undefined {
    return this.byName.get(key(name));
  }

  /** All commands in registration order. */
  all(): AnyCommand[] {
    return [...this.byName.values()];
  }

  /** Every permission any command needs (registered with AccessControl at start-up). */
  permissions(): Permission[] {
    return [...new Set(this.all().map((c) => c.permission))];
  }
}
