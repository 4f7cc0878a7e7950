/** /mydevices, /device (details, owner, name, mine) and the new-device buttons (claim, name, assign, block). */
import type { Block } from '../../core/outmessage.ts';
import { macVendor } from '../../services/oui/vendor.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { chatAddress } from '../../core/chat-address.ts';
import { formatAge, serviceErrorMessage } from '../replies.ts';
import { DP, done, info, oneDevice, ownerName, pauseState, staff, warn, type DeviceCommandDeps } from './deps.ts';
import { deviceLabel, type Device } from './store.ts';

const GROUP = 'devices';
const NAME_MAX = 40;
const deviceArg = arg.string({ descriptionKey: 'devices.arg.device', maxLength: 64 });

/** The lines that describe one device. */
function describe(deps: DeviceCommandDeps, ctx: CommandContext, d: Device, withMac: boolean): string {
  const state = pauseState(deps, ctx, d.mac);
  return ctx.t('devices.line', {
    name: deviceLabel(d),
    network: ctx.t(`devices.network.${d.network}`),
    ip: d.ip ?? '—',
    seen: formatAge(ctx.t, Math.max(0, ctx.now() - d.lastSeen)),
    owner: ownerName(deps, d.ownerPersonId) ?? ctx.t('devices.noOwner'),
    extra: [withMac ? d.mac : undefined, state].filter(Boolean).join(' · '),
  });
}

/** Device commands (everything except pausing). */
export function deviceCommands(deps: DeviceCommandDeps): AnyCommand[] {
  const { store } = deps;

  const claimFor = (ctx: CommandContext, d: Device): ReturnType<typeof done> => {
    if (d.ownerPersonId !== undefined && d.ownerPersonId !== ctx.principal.personId)
      return warn(ctx.t('devices.claim.taken', { name: deviceLabel(d), owner: ownerName(deps, d.ownerPersonId) ?? '?' }));
    if (d.ownerPersonId === ctx.principal.personId) {
      ctx.noChange();
      return info(ctx.t('devices.claim.already', { name: deviceLabel(d) }));
    }
    store.setOwner(d.mac, ctx.principal.personId);
    return done(ctx.t('devices.claim.done', { name: deviceLabel(d) }));
  };

  const mydevices = defineCommand({
    name: 'mydevices',
    group: GROUP,
    summaryKey: 'devices.mine.summary',
    args: {},
    permission: DP.readOwn,
    async run(ctx) {
      const mine = store.ownedBy(ctx.principal.personId);
      if (mine.length === 0) return info(ctx.t('devices.mine.none'));
      return {
        title: ctx.t('devices.mine.title'),
        blocks: [{ kind: 'list', items: mine.map((d) => describe(deps, ctx, d, false)) }],
      };
    },
  });

  const device = defineCommand({
    name: 'device',
    group: GROUP,
    summaryKey: 'devices.device.summary',
    args: {
      device: deviceArg,
      what: arg.choice(['owner', 'name', 'mine'] as const, { descriptionKey: 'devices.arg.what', required: false }),
      value: arg.string({ descriptionKey: 'devices.arg.value', required: false, rest: true, maxLength: 80 }),
    },
    permission: DP.readOwn,
    mutates: (a) => a.what !== undefined, // without owner/name/mine it shows the device
    async run(ctx, { device: query, what, value }) {
      const found = oneDevice(deps, ctx.t, query);
      if ('reply' in found) return found.reply;
      const d = found.device;
      const admin = staff(deps, ctx, DP.manage);
      const own = d.ownerPersonId === ctx.principal.personId;
      if (what === undefined) {
        if (!admin && !own && d.ownerPersonId !== undefined) return warn(ctx.t('devices.notYours', { name: deviceLabel(d) }));
        const vendor = macVendor(d.mac);
        const blocks: Block[] = [{ kind: 'text', text: describe(deps, ctx, d, admin) }];
        if (vendor) blocks.push({ kind: 'text', text: ctx.t('devices.vendor', { vendor }) });
        return { title: deviceLabel(d), blocks };
      }
      if (what === 'mine') {
        if (admin) return claimFor(ctx, d);
        if (own) {
          ctx.noChange();
          return info(ctx.t('devices.claim.already', { name: deviceLabel(d) }));
        }
        if (d.ownerPersonId !== undefined)
          return warn(ctx.t('devices.claim.taken', { name: deviceLabel(d), owner: ownerName(deps, d.ownerPersonId) ?? '?' }));
        // Claiming needs an admin's yes: the approval flow shows them exactly this device.
        return {
          blocks: [{ kind: 'text', text: ctx.t('devices.claim.needsApproval', { name: deviceLabel(d) }) }],
          actions: [
            [
              ctx.action(
                ctx.t('devices.claim.ask'),
                'approval-request',
                { command: 'device-claim', args: JSON.stringify({ device: d.mac }) },
                { oneShot: true },
              ),
            ],
          ],
        };
      }
      const text = (value ?? '').trim();
      if (what === 'name') {
        if (!admin && !own) return warn(ctx.t('devices.adminOnly'));
        if (text === '' || text.length > NAME_MAX || /[\n<>]/.test(text)) return warn(ctx.t('devices.name.invalid', { max: NAME_MAX }));
        store.setName(d.mac, text);
        return done(ctx.t('devices.name.done', { mac: d.mac, name: text }));
      }
      if (!admin) return warn(ctx.t('devices.adminOnly'));
      if (text === '') return warn(ctx.t('devices.owner.missing'));
      if (/^(none|nobody|nadie)$/i.test(text)) {
        store.setOwner(d.mac, undefined);
        return done(ctx.t('devices.owner.cleared', { name: deviceLabel(d) }));
      }
      const person = deps.people.find(text);
      if (!person) return warn(ctx.t('devices.owner.unknownPerson', { person: text.slice(0, 40) }));
      store.setOwner(d.mac, person.personId);
      return done(ctx.t('devices.owner.done', { name: deviceLabel(d), owner: person.displayName }));
    },
  });

  const claim = defineCommand({
    name: 'device-claim',
    group: GROUP,
    summaryKey: 'devices.claim.summary',
    args: { device: deviceArg },
    permission: DP.claim,
    requestable: true,
    hidden: true,
    mutates: true,
    async run(ctx, { device: query }) {
      const found = oneDevice(deps, ctx.t, query);
      return 'reply' in found ? found.reply : claimFor(ctx, found.device);
    },
  });

  const namePrompt = defineCommand({
    name: 'device-name-prompt',
    group: GROUP,
    summaryKey: 'devices.name.summary',
    args: { device: deviceArg },
    permission: DP.manage,
    hidden: true,
    async run(ctx, { device: query }) {
      const found = oneDevice(deps, ctx.t, query);
      if ('reply' in found) return found.reply;
      return info(ctx.t('devices.name.prompt', { mac: found.device.mac }));
    },
  });

  const assign = defineCommand({
    name: 'device-assign',
    group: GROUP,
    summaryKey: 'devices.assign.summary',
    args: { device: deviceArg, person: arg.string({ descriptionKey: 'devices.arg.person', required: false, maxLength: 64 }) },
    permission: DP.manage,
    hidden: true,
    mutates: (a) => a.person !== undefined, // without a person it only asks whose
    async run(ctx, { device: query, person }) {
      const found = oneDevice(deps, ctx.t, query);
      if ('reply' in found) return found.reply;
      const d = found.device;
      if (person === undefined) {
        const people = deps.people.all().filter((p) => p.role !== 'guest');
        const rows = people
          .slice(0, 24)
          .map((p) => ctx.action(p.displayName, 'device-assign', { device: d.mac, person: `#${p.personId}` }));
        const actions = [];
        for (let i = 0; i < rows.length; i += 3) actions.push(rows.slice(i, i + 3));
        return { blocks: [{ kind: 'text', text: ctx.t('devices.assign.pick', { name: deviceLabel(d) }) }], actions };
      }
      const who = deps.people.find(person);
      if (!who) return warn(ctx.t('devices.owner.unknownPerson', { person: person.slice(0, 40) }));
      store.setOwner(d.mac, who.personId);
      return done(ctx.t('devices.owner.done', { name: deviceLabel(d), owner: who.displayName }));
    },
  });

  const block = defineCommand({
    name: 'device-block',
    group: GROUP,
    summaryKey: 'devices.block.summary',
    args: { device: deviceArg },
    permission: DP.manage,
    hidden: true,
    mutates: true,
    destructive: true,
    confirmKey: 'devices.block.confirm',
    async run(ctx, { device: query }) {
      const found = oneDevice(deps, ctx.t, query);
      if ('reply' in found) return found.reply;
      const d = found.device;
      if (!d.ip) return warn(ctx.t('devices.noAddress', { name: deviceLabel(d) }));
      const r = await deps.pauses.block({ mac: d.mac, address: d.ip, chat: chatAddress(ctx.chat), setBy: ctx.principal.identity });
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, ctx.t('router.label'));
      return done(ctx.t('devices.block.done', { name: deviceLabel(d) }));
    },
  });

  return [mydevices, device, claim, namePrompt, assign, block];
}
