/**
 * Opens the permission stores on a database and wires the read-only decisions and the guarded
 * changes over them; owners named in config are (re)made owners here, at start-up.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import { AccessControl } from './access.ts';
import { parseIdentity } from '../core/chat-address.ts';
import { GrantsStore } from './grants.ts';
import { Management } from './management.ts';
import { PeopleStore } from './people.ts';
import type { Role } from './roles.ts';
import { Setup } from './setup.ts';

/** Options from the composition root. */
export interface PermissionOptions {
  /** Owner identities from config; they are (re)made owners at start-up. */
  owners: readonly string[];
  rateLimit?: { perMinute: number };
  /** Ceilings from config (`telegram:-100123` → family); chat commands can lower but never lift them. */
  chatCeilings?: readonly { chat: string; maxRole: Role }[];
}

/** The stores and what is built over them. */
export interface Permissions {
  readonly people: PeopleStore;
  readonly grants: GrantsStore;
  readonly access: AccessControl;
  readonly management: Management;
  readonly setup: Setup;
}

/** Builds the permission services; throws when a configured owner is not `platform:id`. */
export function openPermissions(db: Db, clock: Clock, opts: PermissionOptions): Permissions {
  for (const o of opts.owners) if (!parseIdentity(o)) throw new Error(`owner identity "${o}" is not platform:id`);
  const owners = new Set(opts.owners);
  const people = new PeopleStore(db, clock);
  const grants = new GrantsStore(db, clock, opts.chatCeilings);
  for (const o of owners) {
    const known = people.resolve(o);
    if (!known) people.enroll(o, o, 'owner');
    else if (known.role !== 'owner') people.setRole(known.personId, 'owner');
  }
  const access = new AccessControl(people, grants, clock, opts.rateLimit ? { rateLimit: opts.rateLimit } : {});
  return {
    people,
    grants,
    access,
    management: new Management(people, grants, access, owners),
    setup: new Setup(db, clock, people, owners),
  };
}
