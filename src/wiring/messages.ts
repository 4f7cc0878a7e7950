/** Every message catalogue fragment; a new handler area adds its fragment here. */
import type { CatalogueFragment } from '../core/i18n.ts';
import { builtinMessages } from '../handlers/builtin/messages.ts';
import { pipelineMessages } from '../handlers/pipeline.messages.ts';
import { permissionMessages } from '../handlers/permissions/messages.ts';
import { routerMessages } from '../handlers/router/messages.ts';
import { downloadsMessages } from '../handlers/downloads/messages.ts';
import { proxmoxMessages } from '../handlers/proxmox/messages.ts';
import { nasMessages } from '../handlers/nas/messages.ts';
import { piholeMessages } from '../handlers/pihole/messages.ts';
import { cloudMessages } from '../handlers/cloud/messages.ts';
import { alertsMessages } from '../handlers/alerts/messages.ts';
import { upsMessages } from '../handlers/ups/messages.ts';
import { discordMessages } from '../bot/discord/messages.ts';
import { offsiteMessages } from '../handlers/offsite/messages.ts';
import { deviceMessages } from '../handlers/devices/messages.ts';

export const allMessageFragments: readonly CatalogueFragment[] = [
  pipelineMessages,
  builtinMessages,
  permissionMessages,
  routerMessages,
  downloadsMessages,
  proxmoxMessages,
  nasMessages,
  piholeMessages,
  cloudMessages,
  alertsMessages,
  upsMessages,
  discordMessages,
  offsiteMessages,
  deviceMessages,
];
