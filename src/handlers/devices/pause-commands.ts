/** /pausenet, /resumenet and the admin-approved pausenet-any. */
import type { OutMessage } from '../../core/outmessage.ts';
import { formatTime } from '../../core/time-format.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { chatAddress } from '../../core/chat-address.ts';
import { notRecordedMessage, serviceErrorMessage } from '../replies.ts';
import { DP, done, info, staff, warn, type DeviceCommandDeps } from './deps.ts';
import { deviceLabel, type Device } from './store.ts';
import { parsePauseEnd } from './until.ts';

const GROUP = 'devices';
const DEFAULT_MS = 3_600_000;
const MAX_MS = 7 * 86_400_000;

/** The devices a `/pausenet` target names: one device, or every device of a person. */
function targets(deps: DeviceCommandDeps, query: string): Device[] {
  const devices = deps.store.find(query);
  if (devices.length > 0) return devices;
  const person = deps.people.find(query);
  return person ? deps.store.ownedBy(person.personId) : [];
}

/** Pause and resume commands. */
export function pauseCommands(deps: DeviceCommandDeps): AnyCommand[] {
  const args = {
    target: arg.string({ descriptionKey: 'devices.arg.target', maxLength: 64 }),
    when: arg.string({ descriptionKey: 'devices.arg.when', required: false, rest: true, maxLength: 20 }),
  };

  const pauseRun = async (ctx: CommandContext, target: string, when: string | undefined, asked: string): Promise<OutMessage> => {
    const { t } = ctx;
    const list = targets(deps, target);
    if (list.length === 0) return warn(t('devices.pause.nothing', { target: target.slice(0, 40) }));
    if (list.some((d) => d.ownerPersonId !== ctx.principal.personId) && !staff(deps, ctx, DP.pauseAny)) {
      // Someone else's device: an admin decides, and sees exactly this pause.
      return {
        blocks: [{ kind: 'text', text: t('devices.pause.notYours') }],
        severity: 'warning',
        actions: [
          [
            ctx.action(
              t('devices.pause.ask'),
              'approval-request',
              { command: 'pausenet-any', args: JSON.stringify({ target, ...(when ? { when } : {}) }) },
              { oneShot: true },
            ),
          ],
        ],
      };
    }
    const end = parsePauseEnd(when, { now: ctx.now(), timeZone: deps.timezone, defaultMs: DEFAULT_MS, maxMs: MAX_MS });
    if (!end.ok) return warn(t(`devices.pause.${end.reason}`, { max: formatDurationShort(MAX_MS) }));
    const paused: string[] = [];
    for (const d of list) {
      if (!d.ip) return warn(t('devices.noAddress', { name: deviceLabel(d) }));
      if (deps.pauses.get(d.mac)?.kind === 'block') continue; // a block outranks a pause
      const r = await deps.pauses.pause({ mac: d.mac, until: end.until, address: d.ip, chat: chatAddress(ctx.chat), setBy: asked });
      if (r.status === 'not-recorded') return notRecordedMessage(t);
      if (r.status === 'failed') return serviceErrorMessage(t, r.error, t('router.label'));
      paused.push(deviceLabel(d));
    }
    if (paused.length === 0) return info(t('devices.pause.allBlocked'));
    return done(t('devices.pause.done', { names: paused.join(', '), until: formatTime(end.until, ctx.lang, deps.timezone, ctx.now()) }));
  };

  const pausenet = defineCommand({
    name: 'pausenet',
    group: GROUP,
    summaryKey: 'devices.pause.summary',
    args,
    permission: DP.pauseOwn,
    mutates: true,
    run: (ctx, a) => pauseRun(ctx, a.target, a.when, ctx.principal.identity),
  });

  const pausenetAny = defineCommand({
    name: 'pausenet-any',
    group: GROUP,
    summaryKey: 'devices.pause.anySummary',
    args,
    permission: DP.pauseAny,
    requestable: true,
    hidden: true,
    mutates: true,
    run: (ctx, a) => pauseRun(ctx, a.target, a.when, ctx.principal.identity),
  });

  const resumenet = defineCommand({
    name: 'resumenet',
    group: GROUP,
    summaryKey: 'devices.resume.summary',
    args: { target: args.target },
    permission: DP.pauseOwn,
    mutates: true,
    async run(ctx, { target }) {
      const { t } = ctx;
      const list = targets(deps, target).filter((d) => deps.pauses.get(d.mac));
      if (list.length === 0) return info(t('devices.resume.nothing', { target: target.slice(0, 40) }));
      const names: string[] = [];
      for (const d of list) {
        const p = deps.pauses.get(d.mac)!;
        const mayAny = staff(deps, ctx, p.kind === 'block' ? DP.manage : DP.pauseAny);
        if (!mayAny && (p.kind === 'block' || d.ownerPersonId !== ctx.principal.personId))
          return warn(t('devices.resume.notYours', { name: deviceLabel(d) }));
        const r = await deps.pauses.resume(d.mac);
        if (!r.ok) return serviceErrorMessage(t, r.error, t('router.label'));
        names.push(deviceLabel(d));
      }
      return done(t('devices.resume.done', { names: names.join(', ') }));
    },
  });

  return [pausenet, pausenetAny, resumenet];
}
