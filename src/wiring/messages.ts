/** Every message catalogue fragment; a new handler area adds its fragment here. */
import type { CatalogueFragment } from '../core/i18n.ts';
import { builtinMessages } from '../handlers/builtin/messages.ts';
import { pipelineMessages } from '../handlers/pipeline.messages.ts';

export const allMessageFragments: readonly CatalogueFragment[] = [pipelineMessages, builtinMessages];
