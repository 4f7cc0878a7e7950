/** The offsite area's descriptor; its module (offsite-module.ts) is loaded only when its config section is present. */
import { OFFSITE_BACKEND } from '../services/offsite/source.ts';
import { offsiteMessages } from '../handlers/offsite/messages.ts';
import type { AreaDescriptor } from './module.ts';

/** The off-site copy check. */
export const offsiteArea: AreaDescriptor = {
  id: 'offsite',
  messages: [offsiteMessages],
  configSections: ['alerts.offsite'],
  alertSources: ['backup'],
  backends: { [OFFSITE_BACKEND]: { labelKey: 'offsite.label', runsOn: 'proxmox', needsInternet: true } },
  // The backup host also answers the nas area's mdadm-over-SSH check.
  demo: () => import('../demo/backup-host-backend.ts').then((m) => m.backupHostDemoBackend),
  load: () => import('./offsite-module.ts').then((m) => m.offsiteModule),
};
