/** Every schema migration: the shared tables' and each area's (from the area list); ids carry their prefix so lists never clash. */
import type { Migration } from '../core/db.ts';
import { deadlineMigrations } from '../core/deadlines.ts';
import { alertMigrations } from '../alerts/migrations.ts';
import { AREAS } from './areas.ts';

/** Applied in this order at every start (each id once). */
export const allMigrations: readonly Migration[] = [
  ...deadlineMigrations, // before the areas whose old tables move into it
  ...AREAS.flatMap((a) => a.migrations ?? []),
  ...alertMigrations,
];
