/** Domain types of the OpenMediaVault client (PROTOCOLS §3), parsed and normalised. */

/** Host facts from `System.getInformation`. */
export interface OmvSystemInfo {
  readonly hostname: string;
  readonly version: string;
  readonly cpuModel?: string;
  /** 0..100. */
  readonly cpuPercent?: number;
  readonly memTotal?: number;
  readonly memUsed?: number;
  /** Seconds. */
  readonly uptime?: number;
  readonly loadAverage?: readonly [number, number, number];
  readonly kernel?: string;
  readonly rebootRequired: boolean;
  readonly updatesAvailable: boolean;
}

/** SMART overall assessment as OMV names it. */
export type SmartStatus =
  'GOOD' | 'BAD_ATTRIBUTE_IN_THE_PAST' | 'BAD_SECTOR' | 'BAD_ATTRIBUTE_NOW' | 'BAD_SECTOR_MANY' | 'BAD_STATUS' | string;

/** One disk from `Smart.getList`. */
export interface SmartDisk {
  /** `/dev/sda` (or a by-id path). */
  readonly devicefile: string;
  readonly devicename: string;
  readonly model: string;
  readonly serial: string;
  readonly sizeBytes?: number;
  /** °C when known. */
  readonly temperature?: number;
  readonly status: SmartStatus;
}

/** One row of `Smart.getAttributes`. */
export interface SmartAttribute {
  readonly id: number;
  readonly name: string;
  readonly value: number;
  readonly worst: number;
  readonly threshold: number;
  /** Raw text, e.g. `24 (Min/Max 19/37)`. */
  readonly raw: string;
  readonly prefailure: boolean;
  readonly assessment: string;
}

/** The attributes that matter, picked out of the table. */
export interface SmartHealth {
  readonly devicefile: string;
  readonly reallocatedSectors?: number;
  readonly pendingSectors?: number;
  readonly offlineUncorrectable?: number;
  readonly temperature?: number;
  readonly powerOnHours?: number;
  /** Pre-fail attributes OMV does not assess as GOOD. */
  readonly failingAttributes: readonly string[];
  readonly attributes: readonly SmartAttribute[];
}

/** One filesystem from `FileSystemMgmt.getList`. */
export interface OmvFilesystem {
  /** Empty for a missing filesystem configured by UUID. */
  readonly devicefile: string;
  /** `missing`: configured to be mounted, but the device is gone (OMV status 3). */
  readonly state: 'online' | 'initializing' | 'missing';
  readonly label: string;
  readonly type: string;
  readonly mounted: boolean;
  readonly mountpoint: string;
  readonly sizeBytes: number;
  readonly availableBytes: number;
  /** 0..100, or undefined when OMV does not know (-1). */
  readonly percent?: number;
}

/** One SMB share from `SMB.getShareList`. */
export interface SmbShare {
  readonly name: string;
  readonly enabled: boolean;
  readonly comment: string;
  readonly readOnly: boolean;
  readonly guest: string;
}
