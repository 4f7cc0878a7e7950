/** The cloud area's descriptor; its module (cloud-module.ts) is loaded only when its config section is present. */
import { cloudMessages } from '../handlers/cloud/messages.ts';
import type { AreaDescriptor } from './module.ts';

/** The cloud area (Nextcloud). */
export const cloudArea: AreaDescriptor = {
  id: 'cloud',
  messages: [cloudMessages],
  configSections: ['nextcloud'],
  alertSources: ['cloud'],
  backends: { nextcloud: { labelKey: 'cloud.label', runsOn: 'proxmox' } },
  demo: () => import('../demo/nextcloud-backend.ts').then((m) => m.nextcloudDemoBackend),
  load: () => import('./cloud-module.ts').then((m) => m.cloudModule),
};
