/** Every message catalogue fragment: the shared ones (pipeline, /help and /status, alerts, Discord) and each area's. */
import type { CatalogueFragment } from '../core/i18n.ts';
import { builtinMessages } from '../handlers/builtin/messages.ts';
import { pipelineMessages } from '../handlers/pipeline.messages.ts';
import { argNameMessages } from '../handlers/args.messages.ts';
import { alertsMessages } from '../handlers/alerts/messages.ts';
import { alertCauseMessages } from '../handlers/alerts/cause-messages.ts';
import { discordMessages } from '../bot/discord/messages.ts';
import { AREAS } from './areas.ts';

/** Texts that belong to no single area. */
export const sharedMessageFragments: readonly CatalogueFragment[] = [
  pipelineMessages,
  argNameMessages,
  builtinMessages,
  alertsMessages,
  alertCauseMessages,
  discordMessages,
];

/** The whole catalogue the bot speaks. */
export const allMessageFragments: readonly CatalogueFragment[] = [...sharedMessageFragments, ...AREAS.flatMap((a) => a.messages)];
