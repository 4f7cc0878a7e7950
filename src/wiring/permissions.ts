/** The permissions area's descriptor; its module (permissions-module.ts) is loaded only when its config section is present. */
import { permissionMessages } from '../handlers/permissions/messages.ts';
import { strangerMessages } from '../handlers/permissions/stranger-messages.ts';
import { permissionMigrations } from '../permissions/migrations.ts';
import type { AreaDescriptor } from './module.ts';
import type { PermissionsModule } from './permissions-module.ts';

/** The people-and-permissions area (always on). */
export const permissionsArea: AreaDescriptor<PermissionsModule> = {
  id: 'permissions',
  messages: [permissionMessages, strangerMessages],
  migrations: permissionMigrations,
  configSections: ['permissions'],
  load: () => import('./permissions-module.ts').then((m) => m.permissionsModule),
};
