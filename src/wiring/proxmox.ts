/** The proxmox area's descriptor; its module (proxmox-module.ts) is loaded only when its config section is present. */
import { proxmoxMessages } from '../handlers/proxmox/messages.ts';
import { proxmoxMigrations } from '../handlers/proxmox/stops.ts';
import type { AreaDescriptor } from './module.ts';
import type { ProxmoxModule } from './proxmox-module.ts';

/** The hypervisor area. */
export const proxmoxArea: AreaDescriptor<ProxmoxModule> = {
  id: 'proxmox',
  messages: [proxmoxMessages],
  migrations: proxmoxMigrations,
  configSections: ['proxmox'],
  alertSources: ['backup', 'storage', 'guest'],
  backends: { proxmox: { labelKey: 'proxmox.label' } },
  demo: () => import('../demo/proxmox-backend.ts').then((m) => m.proxmoxDemoBackend),
  load: () => import('./proxmox-module.ts').then((m) => m.proxmoxModule),
};
