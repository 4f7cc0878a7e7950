/** The router area's descriptor; its module (router-module.ts) is loaded only when its config section is present. */
import { routerMessages } from '../handlers/router/messages.ts';
import { routerMigrations } from '../handlers/router/store.ts';
import { deviceMessages } from '../handlers/devices/messages.ts';
import { deviceMigrations } from '../handlers/devices/store.ts';
import type { AreaDescriptor } from './module.ts';
import type { RouterModule } from './router-module.ts';

/** The router area (guest WiFi, VPN, and its devices part: people's devices, /pausenet). */
export const routerArea: AreaDescriptor<RouterModule> = {
  id: 'router',
  parts: ['devices'],
  messages: [routerMessages, deviceMessages],
  migrations: [...routerMigrations, ...deviceMigrations],
  configSections: ['router'],
  alertSources: ['network'],
  backends: { router: { labelKey: 'router.label' }, devices: { labelKey: 'devices.label', runsOn: 'router' } },
  demo: () => import('../demo/routeros-backend.ts').then((m) => m.routerDemoBackend),
  load: () => import('./router-module.ts').then((m) => m.routerModule),
};
