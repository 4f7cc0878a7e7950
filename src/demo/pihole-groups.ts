/**
 * Groups and clients of the fake Pi-hole v6 (pihole-openapi groups.yaml, clients.yaml):
 * `Default` group 0 always exists; a client is an IP, subnet, MAC, host name or `:iface`
 * with the groups it belongs to; POST creates (a duplicate is `database_error` "UNIQUE
 * constraint failed"), PUT replaces or creates ("Created or Updated Item"), DELETE removes.
 * Group ids must exist (FTL's foreign keys: `database_error` "FOREIGN KEY constraint failed").
 */

/** One reply of a route: status and JSON body (without `took`). */
export interface RouteReply {
  readonly status: number;
  readonly body?: Record<string, unknown>;
}

interface Group {
  id: number;
  name: string;
  comment: string | null;
  enabled: boolean;
  date_added: number;
  date_modified: number;
}
interface Client {
  id: number;
  client: string;
  comment: string | null;
  groups: number[];
  date_added: number;
  date_modified: number;
}

const err = (status: number, key: string, message: string, hint: string | null = null): RouteReply => ({
  status,
  body: { error: { key, message, hint } },
});

/** The group and client tables with their routes. */
export function createGroupsAndClients(nowSec: () => number) {
  const t0 = nowSec();
  const groups: Group[] = [{ id: 0, name: 'Default', comment: 'The default group', enabled: true, date_added: t0, date_modified: t0 }];
  const clients: Client[] = [];
  let nextGroup = 1;
  let nextClient = 1;

  /** Valid group ids from a body, or the reply refusing them. */
  const groupIds = (v: unknown, fallback: number[]): number[] | RouteReply => {
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x)))
      return err(400, 'bad_request', 'Invalid request: "groups" must be an array of integers');
    const ids = v as number[];
    if (!ids.every((id) => groups.some((g) => g.id === id)))
      return err(400, 'database_error', 'Could not add to gravity database', 'FOREIGN KEY constraint failed');
    return [...new Set(ids)];
  };
  const comment = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
  const clientView = (c: Client) => ({ ...c, groups: [...c.groups], name: null });

  function groupsRoute(method: string, item: string, body: Record<string, unknown> | undefined): RouteReply {
    if (method === 'GET') return { status: 200, body: { groups: groups.filter((g) => !item || g.name === item) } };
    if (!body) return err(400, 'bad_request', 'Invalid request body data (no valid JSON)');
    if (method === 'POST') {
      if (item) return err(400, 'uri_error', 'Invalid request: Specify item in payload, not as URI parameter');
      const names = typeof body.name === 'string' ? [body.name] : Array.isArray(body.name) ? body.name : [];
      if (names.length === 0 || !names.every((n): n is string => typeof n === 'string' && n.length > 0))
        return err(400, 'bad_request', 'Invalid request: No valid "name" in payload (must be either string or array)');
      const success: { item: string }[] = [];
      const errors: { item: string; error: string }[] = [];
      for (const name of names) {
        if (groups.some((g) => g.name === name))
          return err(400, 'database_error', 'Could not add to gravity database', 'UNIQUE constraint failed: grouplist.group');
        const t = nowSec();
        groups.push({
          id: nextGroup++,
          name,
          comment: comment(body.comment),
          enabled: body.enabled !== false,
          date_added: t,
          date_modified: t,
        });
        success.push({ item: name });
      }
      return { status: 201, body: { groups: groups.filter((g) => names.includes(g.name)), processed: { success, errors } } };
    }
    if (!item) return err(400, 'uri_error', 'Invalid request: Specify item in URI');
    const i = groups.findIndex((g) => g.name === item);
    if (method === 'DELETE') {
      if (i <= 0) return i === 0 ? err(400, 'bad_request', 'Cannot delete the default group') : { status: 404, body: {} };
      groups.splice(i, 1);
      for (const c of clients) c.groups = c.groups.filter((id) => groups.some((g) => g.id === id));
      return { status: 204 };
    }
    return { status: 404, body: {} };
  }

  function clientsRoute(method: string, item: string, body: Record<string, unknown> | undefined): RouteReply {
    if (method === 'GET') return { status: 200, body: { clients: clients.filter((c) => !item || c.client === item).map(clientView) } };
    if (method === 'DELETE') {
      const i = clients.findIndex((c) => c.client === item);
      if (!item) return err(400, 'uri_error', 'Invalid request: Specify item in URI');
      if (i < 0) return { status: 404, body: {} };
      clients.splice(i, 1);
      return { status: 204 };
    }
    if (!body) return err(400, 'bad_request', 'Invalid request body data (no valid JSON)');
    const t = nowSec();
    if (method === 'POST') {
      if (item) return err(400, 'uri_error', 'Invalid request: Specify item in payload, not as URI parameter');
      const list = typeof body.client === 'string' ? [body.client] : Array.isArray(body.client) ? body.client : [];
      if (list.length === 0 || !list.every((c): c is string => typeof c === 'string' && c.length > 0))
        return err(400, 'bad_request', 'Invalid request: No valid "client" in payload (must be either string or array)');
      const ids = groupIds(body.groups, [0]);
      if (!Array.isArray(ids)) return ids;
      for (const c of list) {
        if (clients.some((x) => x.client === c))
          return err(400, 'database_error', 'Could not add to gravity database', 'UNIQUE constraint failed: client.ip');
        clients.push({ id: nextClient++, client: c, comment: comment(body.comment), groups: ids, date_added: t, date_modified: t });
      }
      return {
        status: 201,
        body: {
          clients: clients.filter((c) => list.includes(c.client)).map(clientView),
          processed: { success: list.map((c) => ({ item: c })), errors: [] },
        },
      };
    }
    if (method === 'PUT') {
      if (!item) return err(400, 'uri_error', 'Invalid request: Specify item in URI');
      const ids = groupIds(body.groups, [0]);
      if (!Array.isArray(ids)) return ids;
      let c = clients.find((x) => x.client === item);
      if (c) Object.assign(c, { comment: comment(body.comment), groups: ids, date_modified: t });
      else
        clients.push(
          (c = { id: nextClient++, client: item, comment: comment(body.comment), groups: ids, date_added: t, date_modified: t }),
        );
      return { status: 200, body: { clients: [clientView(c)], processed: { success: [{ item }], errors: [] } } };
    }
    return { status: 404, body: {} };
  }

  return {
    /** Serves `/groups…` and `/clients…`; undefined for other paths. */
    route(method: string, path: string, body: Record<string, unknown> | undefined): RouteReply | undefined {
      const m = /^\/(groups|clients)(?:\/(.*))?$/.exec(path);
      if (!m) return undefined;
      const item = m[2] ? decodeURIComponent(m[2]) : '';
      return m[1] === 'groups' ? groupsRoute(method, item, body) : clientsRoute(method, item, body);
    },
    groupIds,
    /** Groups a client address belongs to (an address with no client entry is in Default only). */
    groupsOf: (client: string): number[] => clients.find((c) => c.client === client)?.groups ?? [0],
    /** Group id by name. */
    groupId: (name: string): number | undefined => groups.find((g) => g.name === name)?.id,
    /** Copies of the client entries. */
    clients: () => clients.map((c) => ({ client: c.client, groups: [...c.groups], comment: c.comment })),
  };
}
