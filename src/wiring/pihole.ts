/** The pihole area's descriptor; its module (pihole-module.ts) is loaded only when its config section is present. */
import { piholeMessages } from '../handlers/pihole/messages.ts';
import { piholeMigrations } from '../handlers/pihole/store.ts';
import type { AreaDescriptor } from './module.ts';

/** The ad blocker area. */
export const piholeArea: AreaDescriptor = {
  id: 'pihole',
  messages: [piholeMessages],
  migrations: piholeMigrations,
  configSections: ['pihole'],
  alertSources: ['dns'],
  backends: { pihole: { labelKey: 'pihole.label', runsOn: 'proxmox' } },
  demo: () => import('../demo/pihole-backend.ts').then((m) => m.piholeDemoBackend),
  load: () => import('./pihole-module.ts').then((m) => m.piholeModule),
};
