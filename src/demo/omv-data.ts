/**
 * The simulated NAS behind the fake OMV API: the `nas` VM from HOMELAB.md (OMV 6, two 1 TB
 * SSDs in RAID 1 `md0`, ext4, SMB shares backups/documents/media). Live objects: the fake's
 * controls edit them.
 */

const GiB = 1024 ** 3;

/** One simulated disk with the SMART figures the controls can change. */
export interface FakeDisk {
  devicefile: string;
  model: string;
  serial: string;
  size: number;
  temperature: number;
  powerOnHours: number;
  reallocated: number;
  pending: number;
  status: string;
}

/** One simulated filesystem. */
export interface FakeFilesystem {
  devicefile: string;
  label: string;
  type: string;
  mountpoint: string;
  size: number;
  percent: number;
  /** Configured in fstab but its device is gone (FileSystemMgmt.getList `status: 3`). */
  missing?: boolean;
}

/** One member line of `mdadm --detail`'s device table. */
export interface FakeMdMember {
  readonly device: string;
  /** `active sync`, `spare rebuilding`, `spare`, `faulty`, or `removed` (no device). */
  readonly state: string;
  /** RaidDevice slot; undefined prints `-` (spares and faulty members have none). */
  readonly slot?: number;
}

/**
 * `mdadm --detail /dev/md0` as OMV's RaidMgmt/MdMgmt.getDetail returns it (mdadm Detail.c
 * layout, as in test/fixtures/mdstat/detail-*.txt).
 */
export function mdadmDetail(o: { state: string; members: readonly FakeMdMember[]; rebuildPercent?: number; sizeKiB: number }): string {
  const working = o.members.filter((m) => m.state !== 'faulty' && m.state !== 'removed');
  const count = (re: RegExp): number => o.members.filter((m) => re.test(m.state)).length;
  const gib = (o.sizeKiB / 1024 ** 2).toFixed(2);
  const gb = ((o.sizeKiB * 1024) / 1e9).toFixed(2);
  const rows = o.members.map((m, i) => {
    const num = m.state === 'removed' ? '-' : String(i);
    const major = m.state === 'removed' ? 0 : 8;
    const minor = m.state === 'removed' ? 0 : 16 * i;
    const slot = m.slot === undefined ? '-' : String(m.slot);
    return `    ${num.padStart(3)}     ${String(major).padStart(3)}     ${String(minor).padStart(4)}     ${slot.padStart(4)}      ${m.state}${m.device ? `   ${m.device}` : ''}`;
  });
  return [
    '/dev/md0:',
    '           Version : 1.2',
    '     Creation Time : Sat Mar  4 10:12:33 2023',
    '        Raid Level : raid1',
    `        Array Size : ${o.sizeKiB} (${gib} GiB ${gb} GB)`,
    `     Used Dev Size : ${o.sizeKiB} (${gib} GiB ${gb} GB)`,
    '      Raid Devices : 2',
    `     Total Devices : ${o.members.filter((m) => m.device).length}`,
    '       Persistence : Superblock is persistent',
    '',
    '     Intent Bitmap : Internal',
    '',
    '       Update Time : Wed Nov 25 11:02:14 2026',
    `             State : ${o.state}`,
    `    Active Devices : ${count(/^active/)}`,
    `   Working Devices : ${working.length}`,
    `    Failed Devices : ${count(/faulty/)}`,
    `     Spare Devices : ${count(/spare/)}`,
    '',
    'Consistency Policy : bitmap',
    '',
    ...(o.rebuildPercent !== undefined ? [`    Rebuild Status : ${Math.floor(o.rebuildPercent)}% complete`, ''] : []),
    '              Name : nas:0  (local to host nas)',
    '              UUID : 3b6c1a2e:8f2d4c11:9a0b7e55:c4d21f08',
    '            Events : 18400',
    '',
    '    Number   Major   Minor   RaidDevice State',
    ...rows,
    '',
  ].join('\n');
}

/** The demo NAS's disks: the two SSDs of the RAID 1 and their SMART data. */
export function seedDisks(): FakeDisk[] {
  return [
    {
      devicefile: '/dev/sda',
      model: 'Samsung SSD 870 EVO 1TB',
      serial: 'S6PTNM0T401234A',
      size: 1_000_204_886_016,
      temperature: 31,
      powerOnHours: 17_412,
      reallocated: 0,
      pending: 0,
      status: 'GOOD',
    },
    {
      devicefile: '/dev/sdb',
      model: 'Samsung SSD 870 EVO 1TB',
      serial: 'S6PTNM0T405678B',
      size: 1_000_204_886_016,
      temperature: 33,
      powerOnHours: 17_409,
      reallocated: 0,
      pending: 0,
      status: 'GOOD',
    },
  ];
}

/** The demo NAS's filesystems: the data array (md0) and the system disk. */
export function seedFilesystems(): FakeFilesystem[] {
  return [
    {
      devicefile: '/dev/md0',
      label: 'data',
      type: 'ext4',
      mountpoint: '/srv/dev-disk-by-uuid-5f1c2b7e-3a4d-4e8f-9b0a-1c2d3e4f5a6b',
      size: 983_349_174_272,
      percent: 41,
    },
    { devicefile: '/dev/vda1', label: '', type: 'ext4', mountpoint: '/', size: 15.6 * GiB, percent: 34 },
  ];
}

/** The demo NAS's SMB shares, as in the reference household. */
export const SHARES = [
  { name: 'backups', comment: 'Proxmox backup files (user proxmox)' },
  { name: 'documents', comment: 'Nextcloud data (user docker)' },
  { name: 'media', comment: 'Family photos and videos for PhotoPrism (user docker)' },
] as const;

/** `Smart.getAttributes` rows as OMV builds them from `smartctl --xall` (Samsung SATA SSD). */
export function smartAttributes(d: FakeDisk): Record<string, unknown>[] {
  const row = (
    id: number,
    attrname: string,
    flags: string,
    value: number,
    worst: number,
    threshold: number,
    rawvalue: string,
  ): Record<string, unknown> => {
    const prefailure = flags.includes('P');
    let assessment = prefailure ? 'GOOD' : 'BAD_STATUS';
    if (prefailure && value <= threshold) assessment = 'BAD_ATTRIBUTE_NOW';
    else if (prefailure && (id === 5 || id === 197) && Number.parseInt(rawvalue, 10) >= 1) assessment = 'BAD_SECTOR';
    return { id, attrname, flags, value, worst, threshold, whenfailed: '-', rawvalue, description: '', prefailure, assessment };
  };
  const rows = [
    row(5, 'Reallocated_Sector_Ct', 'PO--CK', d.reallocated > 0 ? 99 : 100, d.reallocated > 0 ? 99 : 100, 10, String(d.reallocated)),
    row(9, 'Power_On_Hours', '-O--CK', 96, 96, 0, String(d.powerOnHours)),
    row(12, 'Power_Cycle_Count', '-O--CK', 99, 99, 0, '212'),
    row(177, 'Wear_Leveling_Count', 'PO--C-', 98, 98, 0, '23'),
    row(187, 'Uncorrectable_Error_Cnt', '-O--CK', 100, 100, 0, '0'),
    row(190, 'Airflow_Temperature_Cel', '-O---K', 100 - d.temperature, 52, 0, String(d.temperature)),
    row(199, 'CRC_Error_Count', '-OSRCK', 100, 100, 0, '0'),
    row(241, 'Total_LBAs_Written', '-O--CK', 99, 99, 0, '41872345118'),
  ];
  if (d.pending > 0) rows.splice(5, 0, row(197, 'Current_Pending_Sector', '-O--CK', 100, 100, 0, String(d.pending)));
  return rows;
}
