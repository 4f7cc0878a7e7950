/** Every schema migration, by area; each area's ids carry its prefix so lists never clash. */
import type { Migration } from '../core/db.ts';
import { deadlineMigrations } from '../core/deadlines.ts';
import { permissionMigrations } from '../permissions/migrations.ts';
import { routerMigrations } from '../handlers/router/store.ts';
import { downloadsMigrations } from '../handlers/downloads/store.ts';
import { piholeMigrations } from '../handlers/pihole/store.ts';
import { deviceMigrations } from '../handlers/devices/store.ts';
import { alertMigrations } from '../alerts/migrations.ts';
import { nasMigrations } from '../handlers/nas/store.ts';

export const allMigrations: readonly Migration[] = [
  ...deadlineMigrations, // before the areas whose old tables move into it
  ...permissionMigrations,
  ...routerMigrations,
  ...downloadsMigrations,
  ...piholeMigrations,
  ...deviceMigrations,
  ...alertMigrations,
  ...nasMigrations,
];
