/**
 * Contract test between the clients, their fakes and the products: each fixture in
 * test/fixtures/replies holds a reply in the shape the product's own source or documentation
 * gives (its `source` says which). Each must parse through the client's own schema, and the
 * fake's reply for the same endpoint must parse too and have the product's shape all the way
 * down (test/support/reply-shape.ts): no field the product does not send, none it always sends
 * missing, the same JSON types, arrays by their elements — so a fake drifting away from the
 * product (or a schema from both) fails here. Transmission's fixtures are also compared with
 * the real transmission-daemon's replies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { startProxmoxFake, type ProxmoxFake } from '../../src/demo/proxmox.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { startOmvFake, type OmvFake } from '../../src/demo/omv.ts';
import { startFakeNextcloud, type FakeNextcloud } from '../../src/demo/nextcloud.ts';
import {
  envelope,
  errorBody,
  guestSchema,
  nodeStatusSchema,
  notBackedUpSchema,
  guestConfigSchema,
  storageSchema,
  taskLogSchema,
  taskSchema,
  taskStatusSchema,
  ticketSchema,
  versionSchema,
} from '../../src/services/proxmox/schemas.ts';
import { parseUpid } from '../../src/services/proxmox/upid.ts';
import {
  addressListSchema,
  addressSchema,
  createdRecordSchema,
  filterRuleListSchema,
  identitySchema,
  leaseListSchema,
  peerListSchema,
  resourceSchema,
  rosErrorBody,
  wifiConfigurationListSchema,
  wifiListSchema,
  wifiSchema,
  wifiSecurityListSchema,
} from '../../src/services/routeros/schemas.ts';
import {
  filesystemRowSchema,
  listOf,
  raidRowSchema,
  loginSchema,
  rpcEnvelope,
  smartAttributeSchema,
  smartRowSchema,
  smbShareRowSchema,
  systemInfoSchema,
} from '../../src/services/omv/schemas.ts';
import { OcsEnvelope, ServerInfoData, StatusReply, UsersData } from '../../src/services/nextcloud/schemas.ts';
import { OmvClient } from '../../src/services/omv/client.ts';
import { startTransmissionFake, type TransmissionFake } from '../../src/demo/transmission.ts';
import { snakeKeys } from '../../src/services/transmission/dialect.ts';
import {
  classicReply,
  freeSpaceSchema,
  SESSION_FIELDS,
  sessionSchema,
  sessionStatsSchema,
  TORRENT_FIELDS,
  torrentAddSchema,
  torrentListSchema,
} from '../../src/services/transmission/schemas.ts';
import { startTransmissionDaemon, TRANSMISSION_DAEMON, type TestTransmission } from '../support/transmission-daemon.ts';
import { requireBinary } from '../support/real-server.ts';
import { shapeDiff, shapeOf, type ShapeOptions } from '../support/reply-shape.ts';

const DIR = new URL('../fixtures/replies/', import.meta.url);
type Fixture = { source: string; reply: unknown };
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Fixture;

const omvResponse = (schema: z.ZodType) => rpcEnvelope.unwrap().extend({ response: schema });
/** The OCS v2 envelope with its data read by the client's data schema. */
const ocsOf = (data: z.ZodType) => OcsEnvelope.unwrap().extend({ ocs: OcsEnvelope.unwrap().shape.ocs.extend({ data }) });

/** A classic Transmission reply whose arguments, snake-cased as the client does, parse through `args`. */
const classicOf = (args: z.ZodType) => classicReply.unwrap().extend({ arguments: z.unknown().transform(snakeKeys).pipe(args) });

/** The RPC requests behind the Transmission fixtures, for the fake and the real daemon alike. */
const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=test';
const TRANSMISSION_CALLS = (downloadDir: string): Record<string, readonly { method: string; arguments?: unknown }[]> => ({
  'transmission-torrent-get.json': [
    { method: 'torrent-add', arguments: { filename: MAGNET, paused: true } },
    { method: 'torrent-get', arguments: { fields: TORRENT_FIELDS } },
  ],
  'transmission-session-get.json': [{ method: 'session-get', arguments: { fields: SESSION_FIELDS } }],
  'transmission-session-stats.json': [{ method: 'session-stats' }],
  'transmission-torrent-add-added.json': [
    { method: 'torrent-remove', arguments: { ids: ['0123456789abcdef0123456789abcdef01234567'] } },
    { method: 'torrent-add', arguments: { filename: MAGNET, paused: true } },
  ],
  'transmission-torrent-add-duplicate.json': [
    { method: 'torrent-add', arguments: { filename: MAGNET, paused: true } },
    { method: 'torrent-add', arguments: { filename: MAGNET, paused: true } },
  ],
  'transmission-free-space.json': [{ method: 'free-space', arguments: { path: downloadDir } }],
  'transmission-free-space-missing.json': [{ method: 'free-space', arguments: { path: '/nonexistent-homelab-test/gone' } }],
  'transmission-corrupt-torrent.json': [
    { method: 'torrent-add', arguments: { metainfo: Buffer.from('not a torrent').toString('base64') } },
  ],
  'transmission-ok.json': [{ method: 'torrent-stop', arguments: { ids: ['0123456789abcdef0123456789abcdef01234567'] } }],
});
/** Keys transmission-daemon 3.00 (the one installed for tests) does not send yet: `total_size` is new in 4.0.0 (rpc-spec §5). */
const NEWER_THAN_3_00 = ['arguments.total_size'];

/** Runs `calls` on a Transmission RPC URL (Basic auth, 409 session-id dance) and returns the last reply. */
async function transmissionRpc(
  url: string,
  auth: string | undefined,
  calls: readonly { method: string; arguments?: unknown }[],
): Promise<unknown> {
  let session = '';
  let last: unknown;
  for (const [i, call] of calls.entries()) {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'x-transmission-session-id': session };
      if (auth) headers.authorization = auth;
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...call, tag: i + 1 }) });
      if (res.status === 409 && attempt === 0) {
        session = res.headers.get('x-transmission-session-id') ?? '';
        await res.body?.cancel();
        continue;
      }
      assert.equal(res.status, 200);
      last = await res.json();
      break;
    }
  }
  return last;
}

/** Fixture file → how to read it and where the fake answers the same endpoint. */
interface Contract {
  readonly schema: z.ZodType;
  /** Where the shape comparison is looser: dictionaries whose keys differ by guest or by user. */
  readonly shape?: ShapeOptions;
  readonly fake: () => Promise<unknown>;
}

describe('recorded replies: fixtures, clients and fakes agree', () => {
  let pve: ProxmoxFake;
  let ros: RouterOsFake;
  /** A RouterOS 7.12 router: WiFi under /interface/wifiwave2. */
  let ros712: RouterOsFake;
  let omv: OmvFake;
  /** An OMV 7 box: Session.login also answers with the session id. */
  let omv7: OmvFake;
  let omvClient: OmvClient;
  let nc: FakeNextcloud;
  let tr: TransmissionFake;
  before(async () => {
    [pve, ros, omv, nc, tr] = await Promise.all([
      startProxmoxFake(),
      startRouterOsFake(),
      startOmvFake(),
      startFakeNextcloud(),
      startTransmissionFake({ seed: true, downloadDir: '/downloads' }),
    ]);
    ros712 = await startRouterOsFake({ version: '7.12.1 (stable)' });
    omv7 = await startOmvFake({ version: 7 });
    omvClient = new OmvClient({ baseUrl: omv.url, username: omv.username, password: omv.password });
  });
  after(async () => {
    await omvClient.close();
    await Promise.all([pve.close(), ros.close(), omv.close(), nc.close(), tr.close(), ros712.close(), omv7.close()]);
  });

  /** One API call with the fake's API token (form-encoded body, as the client sends); the JSON body whatever the status. */
  const pve_ = async (method: string, path: string, form?: Record<string, string>, token = true): Promise<unknown> =>
    (
      await fetch(`${pve.url}/api2/json/${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}` } : {}),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      })
    ).json();
  const getPve = (path: string): Promise<unknown> => pve_('GET', path);
  const admin = FAKE_ROUTER_USERS[0]!;
  /** One REST request to a RouterOS fake as the admin user; the JSON body whatever the status. */
  const ros_ = async (method: string, path: string, body?: unknown, fake: RouterOsFake = ros): Promise<unknown> =>
    (
      await fetch(`${fake.url}/rest/${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    ).json();
  const getRos = (path: string): Promise<unknown> => ros_('GET', path);
  /** What the client adds to an address list when a device is paused. */
  const pauseEntry = (address: string) => ({ list: 'chatops-paused', address, comment: 'chatops: paused', timeout: '30m' });
  const callOmv = async (service: string, method: string, params: unknown): Promise<unknown> => {
    const r = await omvClient.call(service, method, params, z.unknown());
    assert.ok(r.ok, JSON.stringify(r));
    return { response: r.value, error: null };
  };
  const LIST = { start: 0, limit: null };
  /** One RPC posted as is (no session), for the login and its failure. */
  const rawOmv = async (fake: OmvFake, body: unknown): Promise<unknown> =>
    (
      await fetch(`${fake.url}/rpc.php`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    ).json();
  const login = (fake: OmvFake, password = fake.password): Promise<unknown> =>
    rawOmv(fake, { service: 'Session', method: 'login', params: { username: fake.username, password } });
  /** The fake's newest task, addressed as the client addresses it (UPID percent-encoded). */
  const taskPath = (): string => `nodes/proxmox1/tasks/${encodeURIComponent(pve.tasks()[0]!.upid)}`;
  const getOcs = async (path: string): Promise<unknown> =>
    (
      await fetch(`${nc.url}/ocs/v2.php/${path}`, {
        headers: { authorization: `Basic ${Buffer.from('admin:demo-app-password').toString('base64')}`, 'OCS-APIRequest': 'true' },
      })
    ).json();

  const trCalls = TRANSMISSION_CALLS('/downloads');
  const viaFake = (file: string) => (): Promise<unknown> => transmissionRpc(tr.url, undefined, trCalls[file]!);
  const classic = (args: z.ZodType): Omit<Contract, 'fake'> => ({ schema: classicOf(args) });

  const contracts: Record<string, Contract> = {
    'transmission-torrent-get.json': {
      ...classic(torrentListSchema),
      fake: viaFake('transmission-torrent-get.json'),
    },
    'transmission-session-get.json': { ...classic(sessionSchema), fake: viaFake('transmission-session-get.json') },
    'transmission-session-stats.json': { ...classic(sessionStatsSchema), fake: viaFake('transmission-session-stats.json') },
    'transmission-torrent-add-added.json': { ...classic(torrentAddSchema), fake: viaFake('transmission-torrent-add-added.json') },
    'transmission-torrent-add-duplicate.json': { ...classic(torrentAddSchema), fake: viaFake('transmission-torrent-add-duplicate.json') },
    'transmission-free-space.json': { ...classic(freeSpaceSchema), fake: viaFake('transmission-free-space.json') },
    'transmission-free-space-missing.json': { ...classic(z.unknown()), fake: viaFake('transmission-free-space-missing.json') },
    'transmission-corrupt-torrent.json': { ...classic(z.object({})), fake: viaFake('transmission-corrupt-torrent.json') },
    'transmission-ok.json': { ...classic(z.object({})), fake: viaFake('transmission-ok.json') },
    'proxmox-qemu-full.json': {
      schema: envelope(z.array(guestSchema)),
      fake: () => getPve('nodes/proxmox1/qemu?full=1'),
    },
    'proxmox-lxc.json': { schema: envelope(z.array(guestSchema)), fake: () => getPve('nodes/proxmox1/lxc') },
    'proxmox-node-status.json': { schema: envelope(nodeStatusSchema), fake: () => getPve('nodes/proxmox1/status') },
    'proxmox-storage.json': { schema: envelope(z.array(storageSchema)), fake: () => getPve('nodes/proxmox1/storage') },
    'proxmox-version.json': { schema: envelope(versionSchema), fake: () => getPve('version') },
    'proxmox-tasks.json': { schema: envelope(z.array(taskSchema)), fake: () => getPve('nodes/proxmox1/tasks') },
    'proxmox-task-status.json': { schema: envelope(taskStatusSchema), fake: () => getPve(`${taskPath()}/status`) },
    'proxmox-task-log.json': {
      schema: envelope(taskLogSchema),
      fake: () => getPve(`${taskPath()}/log?start=0&limit=50`),
    },
    'proxmox-not-backed-up.json': {
      schema: envelope(notBackedUpSchema),
      fake: () => getPve('cluster/backup-info/not-backed-up'),
    },
    'proxmox-ticket.json': {
      schema: envelope(ticketSchema),
      fake: () => pve_('POST', 'access/ticket', { username: pve.username, password: pve.password }, false),
    },
    'proxmox-qemu-status-current.json': {
      schema: envelope(guestSchema),
      // lock only while locked, tags only when set (the fixture's guest has both).
      shape: { optional: ['data.lock', 'data.tags'] },
      fake: () => getPve('nodes/proxmox1/qemu/100/status/current'),
    },
    'proxmox-lxc-status-current.json': {
      schema: envelope(guestSchema),
      // lock only while locked, tags only when set (the fixture's guest has both).
      shape: { optional: ['data.lock', 'data.tags'] },
      fake: () => getPve('nodes/proxmox1/lxc/101/status/current'),
    },
    'proxmox-qemu-config.json': {
      schema: envelope(guestConfigSchema),
      shape: { open: ['data'] },
      fake: () => getPve('nodes/proxmox1/qemu/100/config'),
    },
    'proxmox-lxc-config.json': {
      schema: envelope(guestConfigSchema),
      shape: { open: ['data'] },
      fake: () => getPve('nodes/proxmox1/lxc/101/config'),
    },
    'proxmox-upid.json': {
      schema: envelope(z.string().refine((s) => parseUpid(s) !== undefined, 'a UPID')),
      fake: () => pve_('POST', 'nodes/proxmox1/qemu/100/status/start', {}),
    },
    'proxmox-config-set.json': {
      schema: envelope(z.null()),
      fake: () => pve_('PUT', 'nodes/proxmox1/qemu/100/config', { startup: 'order=1,up=60' }),
    },
    'proxmox-error.json': {
      schema: errorBody.unwrap().extend({ data: z.null() }),
      shape: { open: ['errors'] },
      fake: () => pve_('PUT', 'nodes/proxmox1/qemu/100/config', { startup: 'whenever' }),
    },
    'routeros-system-resource.json': { schema: resourceSchema, fake: () => getRos('system/resource') },
    'routeros-wifi.json': { schema: wifiListSchema, fake: () => getRos('interface/wifi') },
    'routeros-wireguard-peers.json': { schema: peerListSchema, fake: () => getRos('interface/wireguard/peers') },
    'routeros-dhcp-leases.json': { schema: leaseListSchema, fake: () => getRos('ip/dhcp-server/lease') },
    'routeros-system-identity.json': { schema: identitySchema, fake: () => getRos('system/identity') },
    'routeros-ip-address.json': { schema: addressSchema, fake: () => getRos('ip/address') },
    'routeros-address-list.json': {
      schema: addressListSchema,
      fake: async () => {
        await ros_('PUT', 'ip/firewall/address-list', pauseEntry('192.0.2.31'));
        await ros_('PUT', 'ip/firewall/address-list', { ...pauseEntry('192.0.2.32'), timeout: undefined });
        return getRos('ip/firewall/address-list?list=chatops-paused');
      },
    },
    'routeros-address-list-added.json': {
      schema: createdRecordSchema,
      fake: () => ros_('PUT', 'ip/firewall/address-list', pauseEntry('192.0.2.33')),
    },
    'routeros-firewall-filter.json': { schema: filterRuleListSchema, fake: () => getRos('ip/firewall/filter') },
    'routeros-firewall-filter-added.json': {
      schema: createdRecordSchema,
      fake: () =>
        ros_('PUT', 'ip/firewall/filter', {
          chain: 'forward',
          action: 'reject',
          'reject-with': 'icmp-admin-prohibited',
          'src-address-list': 'chatops-paused',
          comment: 'chatops: paused devices',
          'place-before': '*1',
        }),
    },
    'routeros-wifiwave2.json': {
      schema: wifiListSchema,
      fake: () => ros_('GET', 'interface/wifiwave2', undefined, ros712),
    },
    'routeros-wifi-patched.json': {
      schema: wifiSchema,
      fake: () => ros_('PATCH', 'interface/wifi/*5', { disabled: 'true' }),
    },
    'routeros-wifi-configuration.json': {
      schema: wifiConfigurationListSchema,
      fake: () => getRos('interface/wifi/configuration'),
    },
    'routeros-wifi-security.json': { schema: wifiSecurityListSchema, fake: () => getRos('interface/wifi/security') },
    'routeros-error.json': {
      schema: rosErrorBody.unwrap().required(),
      fake: async () => {
        await ros_('PUT', 'ip/firewall/address-list', pauseEntry('192.0.2.34'));
        return ros_('PUT', 'ip/firewall/address-list', pauseEntry('192.0.2.34'));
      },
    },
    'omv-system-information.json': {
      schema: omvResponse(systemInfoSchema),
      fake: () => callOmv('System', 'getInformation', {}),
    },
    'omv-raid-list.json': {
      schema: omvResponse(listOf(raidRowSchema)),
      fake: () => callOmv('RaidMgmt', 'getList', LIST),
    },
    'omv-filesystem-list.json': {
      schema: omvResponse(listOf(filesystemRowSchema)),
      fake: () => callOmv('FileSystemMgmt', 'getList', LIST),
    },
    'omv-smart-list.json': {
      schema: omvResponse(listOf(smartRowSchema)),
      fake: () => callOmv('Smart', 'getList', LIST),
    },
    'omv-session-login.json': { schema: omvResponse(loginSchema), fake: () => login(omv) },
    'omv-session-login-7.json': { schema: omvResponse(loginSchema), fake: () => login(omv7) },
    'omv-error.json': { schema: rpcEnvelope, fake: () => login(omv, 'wrong password') },
    'omv-smart-attributes.json': {
      schema: omvResponse(z.array(smartAttributeSchema)),
      fake: () => callOmv('Smart', 'getAttributes', { devicefile: '/dev/sda' }),
    },
    'omv-smb-share-list.json': {
      schema: omvResponse(listOf(smbShareRowSchema)),
      fake: () => callOmv('SMB', 'getShareList', LIST),
    },
    'omv-raid-detail.json': {
      schema: omvResponse(z.string()),
      fake: () => callOmv('RaidMgmt', 'getDetail', { devicefile: '/dev/md0' }),
    },
    'nextcloud-status.json': { schema: StatusReply, fake: async () => (await fetch(`${nc.url}/status.php`)).json() },
    'nextcloud-serverinfo.json': {
      schema: ocsOf(ServerInfoData),
      fake: () => getOcs('apps/serverinfo/api/v1/info?format=json&skipApps=true&skipUpdate=true'),
    },
    'nextcloud-users.json': { schema: ocsOf(UsersData), fake: () => getOcs('cloud/users?format=json') },
  };

  test('every fixture has a contract and cites its source', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    assert.deepEqual(files.sort(), Object.keys(contracts).sort());
    for (const f of files) assert.match(fixture(f).source, /\S{10,}/, `${f} names its source`);
  });

  for (const [file, c] of Object.entries(contracts)) {
    test(`${file}: parses through the client's schema, and the fake sends nothing the product does not`, async () => {
      const fx = fixture(file);
      const real = c.schema.safeParse(fx.reply);
      assert.ok(real.success, `fixture: ${JSON.stringify(real.error?.issues[0])}`);
      const fakeReply = await c.fake();
      const fromFake = c.schema.safeParse(fakeReply);
      assert.ok(fromFake.success, `fake: ${JSON.stringify(fromFake.error?.issues[0])}`);
      const diff = shapeDiff(shapeOf([fx.reply]), fakeReply, c.shape);
      assert.deepEqual(diff, [], `the fake's reply differs from the product's (${file}): ${JSON.stringify(fakeReply)}`);
    });
  }
});

describe('recorded Transmission replies against the real transmission-daemon', () => {
  let daemon: TestTransmission | undefined;
  before(async () => {
    if (existsSync(TRANSMISSION_DAEMON)) daemon = await startTransmissionDaemon();
  });
  after(() => daemon?.close());

  for (const file of Object.keys(TRANSMISSION_CALLS('/'))) {
    test(`${file}: the real daemon answers in the recorded shape`, async (t) => {
      if (!requireBinary(t, TRANSMISSION_DAEMON, 'transmission-daemon') || !daemon) return;
      const auth = `Basic ${Buffer.from(`${daemon.username}:${daemon.password}`).toString('base64')}`;
      const real = await transmissionRpc(daemon.url, auth, TRANSMISSION_CALLS(daemon.downloadDir)[file]!);
      const diff = shapeDiff(shapeOf([fixture(file).reply]), real, { optional: NEWER_THAN_3_00 });
      assert.deepEqual(diff, [], `${file} differs from transmission-daemon's reply ${JSON.stringify(real)}`);
    });
  }
});

describe('recorded replies against the shared reference specs (skipped when absent)', () => {
  const SUBSET = new URL('../../../shared/reference/proxmox-api-subset.json', import.meta.url);
  test(
    'the Proxmox fixtures use only endpoints the reference API subset documents',
    { skip: existsSync(SUBSET) ? false : `no ${SUBSET.pathname}` },
    () => {
      const spec = readFileSync(SUBSET, 'utf8');
      for (const path of [
        '/nodes/{node}/qemu',
        '/nodes/{node}/lxc',
        '/nodes/{node}/status',
        '/nodes/{node}/storage',
        '/version',
        '/nodes/{node}/tasks',
        '/nodes/{node}/tasks/{upid}/status',
        '/nodes/{node}/tasks/{upid}/log',
        '/cluster/backup-info/not-backed-up',
      ]) {
        assert.ok(spec.includes(`"${path}"`), `${path} documented in the reference subset`);
      }
    },
  );
});

describe('reply shape comparison (test/support/reply-shape.ts)', () => {
  const product = shapeOf([
    {
      data: [
        { id: 1, cap: { vms: { 'VM.Audit': 1 } }, tags: 'a' },
        { id: 2, cap: { vms: {} } },
      ],
    },
  ]);
  test('the same shape passes; a field only some samples have is optional', () => {
    assert.deepEqual(shapeDiff(product, { data: [{ id: 3, cap: { vms: { 'VM.Audit': 1 } } }] }), []);
  });
  test('a nested field missing, added or of another type fails, arrays by element', () => {
    assert.deepEqual(shapeDiff(product, { data: [{ id: 3 }] }), ['data[].cap: missing (the product sends it)']);
    assert.deepEqual(shapeDiff(product, { data: [{ id: 3, cap: { vms: {}, dc: {} } }] }), ['data[].cap.dc: not sent by the product']);
    assert.deepEqual(shapeDiff(product, { data: [{ id: '3', cap: { vms: {} } }] }), ['data[].id: string where the product sends number']);
    assert.deepEqual(shapeDiff(product, { data: [{ id: 3, cap: { vms: { 'VM.Audit': true } } }] }), [
      'data[].cap.vms.VM.Audit: boolean where the product sends number',
    ]);
  });
  test('optional paths may be absent; open objects take any keys but still type the known ones', () => {
    const one = shapeOf([{ data: { lock: 'backup', cfg: { cores: 2 } } }]);
    assert.deepEqual(shapeDiff(one, { data: { cfg: { cores: 2, scsi0: 'x' } } }, { optional: ['data.lock'], open: ['data.cfg'] }), []);
    assert.deepEqual(shapeDiff(one, { data: { lock: 'backup', cfg: { cores: '2' } } }, { open: ['data.cfg'] }), [
      'data.cfg.cores: string where the product sends number',
    ]);
  });
});
