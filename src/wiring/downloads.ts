/** The downloads area's descriptor; its module (downloads-module.ts) is loaded only when its config section is present. */
import { downloadsMessages } from '../handlers/downloads/messages.ts';
import { downloadsMigrations } from '../handlers/downloads/store.ts';
import type { AreaDescriptor } from './module.ts';

/** The downloads area (Transmission). */
export const downloadsArea: AreaDescriptor = {
  id: 'downloads',
  messages: [downloadsMessages],
  migrations: downloadsMigrations,
  configSections: ['transmission'],
  backends: { transmission: { labelKey: 'downloads.label', runsOn: 'proxmox' } },
  demo: () => import('../demo/transmission-backend.ts').then((m) => m.transmissionDemoBackend),
  load: () => import('./downloads-module.ts').then((m) => m.downloadsModule),
};
