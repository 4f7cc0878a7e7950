/**
 * /wake: Wake-on-LAN through the router. The target is `node` (the Proxmox server, by the MAC in
 * alerts.powerCut.restore.wakeOnLan; also when none is given), a device from the registry by name
 * or address, or a MAC.
 * Waking a machine that is already on does nothing, so it asks no confirmation; it is audited.
 */
import { normalizeMac } from '../../core/mac.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { Result } from '../../core/errors.ts';
import type { Permission } from '../../permissions/permissions.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { serviceErrorMessage } from '../replies.ts';
import { oneDevice, warn, type DeviceCommandDeps } from '../devices/deps.ts';
import { deviceLabel } from '../devices/store.ts';

/** The permission to send a magic packet (admin by default). */
export const WAKE_PERMISSION: Permission = 'router.wake.send';

/** What /wake needs. */
export interface WakeDeps {
  /** Sends the packet (`interface` absent: the router picks one). */
  readonly send: (mac: string, iface: string | undefined) => Promise<Result<void>>;
  /** The Proxmox node's card, when configured. */
  readonly node?: { readonly mac: string; readonly interface?: string | undefined };
  readonly devices: Pick<DeviceCommandDeps, 'store'>;
}

type Target = { readonly name: string; readonly mac: string; readonly iface?: string | undefined };

/** Where `/wake <target>` points, or the reply that says why it cannot. */
function resolveTarget(deps: WakeDeps, ctx: CommandContext, query: string): Target | OutMessage {
  if (query.toLowerCase() === 'node') {
    if (!deps.node) return warn(ctx.t('router.wake.noNode'));
    return { name: ctx.t('router.wake.node'), mac: deps.node.mac, iface: deps.node.interface };
  }
  const mac = normalizeMac(query);
  // A MAC the router never leased an address to (a machine that is off) is still a target.
  if (mac && deps.devices.store.find(mac).length === 0) return { name: mac, mac };
  const one = oneDevice(deps.devices, ctx.t, query);
  if ('reply' in one) return one.reply;
  return { name: deviceLabel(one.device), mac: one.device.mac };
}

/** The /wake command. */
export function wakeCommands(deps: WakeDeps): AnyCommand[] {
  const wake = defineCommand({
    name: 'wake',
    group: 'router',
    summaryKey: 'router.wake.summary',
    args: { target: arg.string({ descriptionKey: 'router.wake.target', required: false, maxLength: 64 }) },
    permission: WAKE_PERMISSION,
    mutates: true,
    async run(ctx, { target }) {
      const t = resolveTarget(deps, ctx, target ?? 'node');
      if (!('mac' in t)) return t;
      const r = await deps.send(t.mac, t.iface);
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, ctx.t('router.label'));
      return { blocks: [{ kind: 'text', text: ctx.t('router.wake.sent', { name: t.name, mac: t.mac }) }], severity: 'success' };
    },
  });
  return [wake];
}
