import type { AnyCommand } from './command.ts';
import type { ArgDefs } from './args.ts';

/** `/name <required> [optional]` for help and argument errors. */
export function usageLine(command: AnyCommand): string {
  const parts = Object.entries(command.args as ArgDefs).map(([name, def]) => {
    const label = def.choices ? def.choices.join('|') : name;
    return def.required ? `<${label}>` : `[${label}]`;
  });
  return [`/${command.name}`, ...parts].join(' ');
}
