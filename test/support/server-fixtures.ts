// What the servers tests need besides the CLI: the server object as the contract spells it, and
// shorthands for the fixture helpers of db.ts (what the load balancer or the poller would write).
import type { ServerRow, ServerSeed, TestDb } from './db.ts'

export interface ServerObject {
  id: string
  url: string
  secret: string
  tag: string
  bbb_version: string
  state: 'enabled' | 'cordoned' | 'disabled'
  load: number | 'unavailable'
  load_multiplier: string | number
  online: 'online' | 'offline'
}

/** The server object in the contract's key order; a new server's defaults unless overridden. */
export function serverObject(given: Pick<ServerObject, 'id' | 'url' | 'secret'> & Partial<ServerObject>): ServerObject {
  return {
    id: given.id,
    url: given.url,
    secret: given.secret,
    tag: given.tag ?? '',
    bbb_version: given.bbb_version ?? '',
    state: given.state ?? 'disabled',
    load: given.load ?? 'unavailable',
    load_multiplier: given.load_multiplier ?? '1.0',
    online: given.online ?? 'offline',
  }
}

/** One JSON document on one line, as `--json` prints it. */
export const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The schema as the first command leaves it (SQL); nothing to do on Redis. */
export const createSchema = (db: TestDb): Promise<void> => db.prepare()

/** A server as another program writes it (plain SQL naming only id, url, secret, state and online; on Redis, as Scalelite). */
export const insertServer = (db: TestDb, row: ServerSeed): Promise<void> => db.insertServer(row)

export const insertMeeting = (db: TestDb, id: string, serverId: string, moderatorPw = 'mp'): Promise<void> =>
  db.insertMeetings(serverId, [[id, moderatorPw]])

export type { ServerRow }

/** Every server as stored, sorted by id; the same shape on every backend. */
export const serverRows = (db: TestDb): Promise<ServerRow[]> => db.serverRows()

/** Meeting ids per server id. */
export const meetingRows = (db: TestDb): Promise<{ id: string; server_id: string | null }[]> => db.meetingRows()

/** What `servers list` says on stderr on Redis when the namespace has no servers key (the test default). */
export const EMPTY_REDIS_WARNING =
  "warning: this Redis has no Scalelite servers in namespace 'scalelite' (no key scalelite:servers); if Scalelite uses another, set REDIS_NAMESPACE\n"
