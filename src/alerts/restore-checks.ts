/**
 * The restore report's health gates, from the areas' own pollers (a fresh refresh each):
 * storage — RAID arrays (OMV or mdadm over SSH) and the SMB shares; apps — Nextcloud out of
 * maintenance and Pi-hole blocking. Red lines carry the button that fixes them when one exists, and
 * a backend that does not answer its [Check again].
 */
import { failureParams } from '../core/errors.ts';
import type { MessageKey } from '../core/i18n.ts';
import type { Poller, Snapshot } from '../services/poller.ts';
import { raidHealth, type RaidArray } from '../services/mdadm/raid.ts';
import type { NextcloudSnapshot } from '../services/nextcloud/poller.ts';
import type { OmvSnapshot } from '../services/omv/poller.ts';
import type { PiholeSnapshot } from '../services/pihole/poller.ts';
import { recheckAction, type RestoreCheck, type RestoreLine } from './restore.ts';

/** The red line of a backend that does not answer, with [Check again] (`backend`: its alerts' feed id). */
function downLine(key: MessageKey, backend: string, s: Snapshot<unknown>): RestoreLine {
  return {
    light: 'red',
    key,
    params: { ...(s.status === 'failed' ? failureParams(s.error) : { detail: '?' }), backend },
    action: recheckAction(backend),
  };
}

/** RAID lines for a list of arrays. */
export function raidLines(arrays: readonly RaidArray[]): RestoreLine[] {
  return arrays.map((a): RestoreLine => {
    const h = raidHealth(a);
    if (h === 'healthy') return { light: 'green', key: 'alerts.restore.raidHealthy', params: { name: a.name } };
    if (h === 'rebuilding')
      return {
        light: 'amber',
        key: 'alerts.restore.raidRebuilding',
        params: { name: a.name, progress: a.sync?.percent !== undefined ? `${a.sync.percent} %` : '…' },
      };
    return { light: 'red', key: 'alerts.restore.raidBad', params: { name: a.name, state: a.stateText ?? h } };
  });
}

/** Storage gate from OMV (RAID + shares) and/or mdadm (RAID). */
export function storageCheck(omv: Poller<OmvSnapshot> | undefined, mdadm: Poller<RaidArray[]> | undefined): RestoreCheck {
  return {
    stage: 'storage',
    async run() {
      const out: RestoreLine[] = [];
      if (omv) {
        const s = await omv.refresh();
        if (s.status !== 'ok') out.push(downLine('alerts.restore.nasDown', 'omv', s));
        else {
          if (!mdadm && s.value.raid) out.push(...raidLines(s.value.raid));
          const shares = (s.value.shares ?? []).filter((x) => x.enabled).map((x) => x.name);
          out.push(
            shares.length
              ? { light: 'green', key: 'alerts.restore.shares', params: { names: shares.join(', ') } }
              : { light: 'red', key: 'alerts.restore.sharesMissing', params: {} },
          );
        }
      }
      if (mdadm) {
        const s = await mdadm.refresh();
        out.push(...(s.status === 'ok' ? raidLines(s.value) : [downLine('alerts.restore.nasDown', 'mdadm', s)]));
      }
      return out;
    },
  };
}

/** Nextcloud must be out of maintenance. */
export function cloudCheck(poller: Poller<NextcloudSnapshot>): RestoreCheck {
  return {
    stage: 'apps',
    async run() {
      const s = await poller.refresh();
      if (s.status !== 'ok') return [downLine('alerts.restore.cloudDown', 'nextcloud', s)];
      return s.value.status.maintenance
        ? [
            {
              light: 'red',
              key: 'alerts.restore.cloudMaintenance',
              params: {},
              action: { labelKey: 'alerts.restore.cloudButton', command: 'cloud-maintenance', args: { state: 'off' } },
            },
          ]
        : [{ light: 'green', key: 'alerts.restore.cloudOk', params: {} }];
    },
  };
}

/** Pi-hole must be blocking. */
export function dnsCheck(poller: Poller<PiholeSnapshot>): RestoreCheck {
  return {
    stage: 'apps',
    async run() {
      const s = await poller.refresh();
      if (s.status !== 'ok') return [downLine('alerts.restore.dnsDown', 'pihole', s)];
      return s.value.blocking.state === 'enabled'
        ? [{ light: 'green', key: 'alerts.restore.dnsOk', params: {} }]
        : [
            {
              light: 'red',
              key: 'alerts.restore.dnsOff',
              params: { state: s.value.blocking.state },
              action: { labelKey: 'alerts.restore.dnsButton', command: 'pihole-resume', args: {} },
            },
          ];
    },
  };
}
