/**
 * The power cut's and the restore's hypervisor changes, audited like a command: a 'started' row
 * before each call (a crash, or the node taking the bot's own guest down with it, leaves that
 * intent on record), its result after. Reads (waitStopped, nodeReachable, …) are not recorded.
 */
import type { Clock } from '../core/clock.ts';
import type { Result } from '../core/errors.ts';
import type { PowerController, PowerCutActor } from '../alerts/powercut.ts';
import type { AuditLog } from '../permissions/audit.ts';

/** Who the audit log names for the shutdowns of a power cut the UPS started (one a person started names them). */
export const POWER_CUT = 'system:power-cut';
/** Who the audit log names for the restore's automatic guest starts (and its wake, router-module). */
export const POWER_RESTORE = 'system:power-restore';

const RESTORE_ACTOR = { identity: POWER_RESTORE, chat: POWER_RESTORE };

/** The row's identity and chat for a power cut's change: the person who started it, or the bot's own name. */
function cutActor(by: PowerCutActor): { identity: string; chat: string } {
  return by.by === 'person' ? { identity: by.identity, chat: by.chat } : { identity: POWER_CUT, chat: POWER_CUT };
}

/** `controller` with every call that changes the hypervisor written to `audit` before and after. */
export function auditedPowerController(controller: PowerController, audit: AuditLog, clock: Clock): PowerController {
  const audited = async <T>(
    actor: { identity: string; chat: string },
    command: string,
    args: Record<string, unknown>,
    call: () => Promise<Result<T>>,
  ) => {
    const id = audit.record({ at: clock.now(), ...actor, command, args, result: 'started', service: 'proxmox' });
    const r = await call();
    audit.complete(id, r.ok ? 'ok' : 'error', r.ok ? undefined : r.error.detail);
    return r;
  };
  const { startGuests, planHandover } = controller;
  // Every member named (a class instance's methods are not own properties to spread), bound: they use `this`.
  return {
    ...(controller.guestName ? { guestName: controller.guestName.bind(controller) } : {}),
    ...(controller.prepare ? { prepare: controller.prepare.bind(controller) } : {}),
    ...(controller.nodeReachable ? { nodeReachable: controller.nodeReachable.bind(controller) } : {}),
    ...(controller.nodeName ? { nodeName: controller.nodeName.bind(controller) } : {}),
    waitStopped: (vmid, timeoutMs) => controller.waitStopped(vmid, timeoutMs),
    shutdownGuest: (vmid, by) => audited(cutActor(by), 'shutdown', { target: vmid }, () => controller.shutdownGuest(vmid, by)),
    shutdownNode: (by) => audited(cutActor(by), 'shutdown', { target: 'node' }, () => controller.shutdownNode(by)),
    ...(startGuests
      ? {
          startGuests: (vmids, timeoutMs) =>
            audited(RESTORE_ACTOR, 'start', { targets: vmids.join(',') }, () => startGuests.call(controller, vmids, timeoutMs)),
        }
      : {}),
    ...(planHandover
      ? {
          // The plan is read-only; each of its calls (startup orders, stopall, node shutdown) is a change.
          planHandover: async (o, by) => {
            const plan = await planHandover.call(controller, o, by);
            if (!plan.ok) return plan;
            return {
              ...plan,
              value: {
                ...plan.value,
                calls: plan.value.calls.map((c) => ({
                  text: c.text,
                  run: () => audited(cutActor(by), 'power-plan', { call: c.text }, () => c.run()),
                })),
              },
            };
          },
        }
      : {}),
  };
}
