/** Every simulated backend of demo mode; each area adds its entry to the list. */
import type { DemoBackend } from './index.ts';
import { routerDemoBackend } from './routeros-backend.ts';
import { transmissionDemoBackend } from './transmission-backend.ts';
import { proxmoxDemoBackend } from './proxmox-backend.ts';
import { omvDemoBackend } from './omv-backend.ts';
import { piholeDemoBackend } from './pihole-backend.ts';
import { nextcloudDemoBackend } from './nextcloud-backend.ts';
import { nutDemoBackend } from './nut-backend.ts';
import { backupHostDemoBackend } from './backup-host-backend.ts';

/** The demo backends in start order. */
export function demoBackends(): DemoBackend[] {
  return [
    routerDemoBackend,
    transmissionDemoBackend,
    proxmoxDemoBackend,
    omvDemoBackend,
    piholeDemoBackend,
    nextcloudDemoBackend,
    nutDemoBackend,
    backupHostDemoBackend,
  ];
}
