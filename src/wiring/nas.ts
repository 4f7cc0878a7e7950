/** The nas area's descriptor; its module (nas-module.ts) is loaded only when its config section is present. */
import { nasMessages } from '../handlers/nas/messages.ts';
import { nasMigrations } from '../handlers/nas/store.ts';
import type { AreaDescriptor } from './module.ts';

/** The NAS area (OpenMediaVault and/or md RAID over SSH). */
export const nasArea: AreaDescriptor = {
  id: 'nas',
  messages: [nasMessages],
  migrations: nasMigrations,
  configSections: ['omv', 'mdadm'],
  alertSources: ['raid', 'disk', 'storage'],
  backends: { omv: { labelKey: 'nas.label', runsOn: 'proxmox' }, mdadm: { labelKey: 'nas.label.mdadm', runsOn: 'omv' } },
  demo: () => import('../demo/omv-backend.ts').then((m) => m.omvDemoBackend),
  load: () => import('./nas-module.ts').then((m) => m.nasModule),
};
