import type { Messages, Translate } from '../core/i18n.ts';
import type { AnyCommand } from './command.ts';
import type { ArgDefs } from './args.ts';

/** How an argument is named to the reader: `arg.<name>` in their language, else its code name. */
export type ArgLabel = (name: string) => string;

/** Argument names in the reader's language (`guest` → `máquina`), for usage lines and argument errors. */
export function argLabels(messages: Messages, t: Translate): ArgLabel {
  return (name) => {
    const key = `arg.${name}`;
    return messages.has(key) ? t(key) : name;
  };
}

/** `/name <required> [optional]` for help and argument errors; `label` names the arguments. */
export function usageLine(command: AnyCommand, label: ArgLabel = (name) => name): string {
  const parts = Object.entries(command.args as ArgDefs).map(([name, def]) => {
    const shown = def.choices ? def.choices.join('|') : label(name);
    return def.required ? `<${shown}>` : `[${shown}]`;
  });
  return [`/${command.name}`, ...parts].join(' ');
}
