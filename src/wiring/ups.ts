/** The ups area's descriptor; its module (ups-module.ts) is loaded only when its config section is present. */
import { upsMessages } from '../handlers/ups/messages.ts';
import type { AreaDescriptor } from './module.ts';

/** The UPS area. */
export const upsArea: AreaDescriptor = {
  id: 'ups',
  messages: [upsMessages],
  configSections: ['nut'],
  alertSources: ['ups'],
  backends: { nut: { labelKey: 'ups.label' } },
  demo: () => import('../demo/nut-backend.ts').then((m) => m.nutDemoBackend),
  load: () => import('./ups-module.ts').then((m) => m.upsModule),
};
