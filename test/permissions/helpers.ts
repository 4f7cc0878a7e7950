/** Shared set-up for permission tests: an in-memory database with the permission migrations. */
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';
import type { AccessControl, ChatRef, Principal } from '../../src/permissions/access.ts';
import type { GrantsStore } from '../../src/permissions/grants.ts';
import type { Management } from '../../src/permissions/management.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { openPermissions } from '../../src/permissions/open.ts';
import type { PeopleStore } from '../../src/permissions/people.ts';
import type { Setup } from '../../src/permissions/setup.ts';
import type { Role } from '../../src/permissions/roles.ts';

export interface World {
  db: Db;
  clock: ManualClock;
  access: AccessControl;
  people: PeopleStore;
  grants: GrantsStore;
  management: Management;
  setup: Setup;
  owner: Principal;
  /** Enrols a new person with one identity. */
  person(identity: string, role: Role, name?: string): Principal;
  /** Re-reads a principal (after role changes). */
  fresh(p: Principal): Principal;
}

/** A fresh world with one configured owner, telegram:1. */
export function world(opts: { owners?: string[]; perMinute?: number } = {}): World {
  const db = openDatabase(':memory:', permissionMigrations);
  const clock = new ManualClock();
  const owners = opts.owners ?? ['telegram:1'];
  const { access, people, grants, management, setup } = openPermissions(db, clock, {
    owners,
    ...(opts.perMinute ? { rateLimit: { perMinute: opts.perMinute } } : {}),
  });
  const owner = owners[0] ? (access.resolve(owners[0]) as Principal) : (undefined as unknown as Principal);
  return {
    db,
    clock,
    access,
    people,
    grants,
    management,
    setup,
    owner,
    person: (identity, role, name = identity) => people.enroll(identity, name, role),
    fresh: (p) => {
      const r = access.resolve(p.identity);
      if (!r) throw new Error(`${p.identity} is gone`);
      return r;
    },
  };
}

export const dm = (id = '1', platform: ChatRef['platform'] = 'telegram'): ChatRef => ({ platform, id, kind: 'private' });
export const group = (id = '-100', platform: ChatRef['platform'] = 'telegram'): ChatRef => ({ platform, id, kind: 'group' });
