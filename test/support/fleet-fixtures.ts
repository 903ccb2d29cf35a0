// What the fleet tests (poll, status, sync, bulk state changes) start from: server rows written with
// plain SQL as another program would (only nullable or defaulted columns left out), and the rows read
// back in one shape on both databases, poll columns included.
import type { TestDb } from './db.ts'

export interface SeedServer {
  id: string
  url: string
  secret?: string
  state?: string
  online?: boolean
  tag?: string | null
  load?: number | null
  load_multiplier?: number | null
  bbb_version?: string | null
  meetings?: number | null
  users?: number | null
  largest_meeting?: number | null
  videos?: number | null
  /** ms since the epoch. */
  polled_at?: number | null
}

const COLUMNS = ['id', 'url', 'secret', 'state', 'tag', 'load', 'load_multiplier', 'bbb_version', 'meetings', 'users', 'largest_meeting', 'videos'] as const

/** Inserts the servers in one statement per 100 (SQLite binds no booleans: online is a literal). */
export async function seedServers(db: TestDb, servers: SeedServer[]): Promise<void> {
  for (let start = 0; start < servers.length; start += 100) {
    const chunk = servers.slice(start, start + 100)
    const params: unknown[] = []
    const rows = chunk.map((s) => {
      const values: unknown[] = [s.id, s.url, s.secret ?? `${s.id}-secret`, s.state ?? 'enabled', s.tag ?? null, s.load ?? null, s.load_multiplier ?? null]
      values.push(s.bbb_version ?? null, s.meetings ?? null, s.users ?? null, s.largest_meeting ?? null, s.videos ?? null)
      const placeholders = values.map((v) => (params.push(v), `$${params.length}`))
      // Timestamps as the database's own literal, so both take them the same way.
      const polled = s.polled_at == null ? 'NULL' : `'${new Date(s.polled_at).toISOString().replace('T', ' ').replace('Z', '')}'`
      return `(${placeholders.join(', ')}, ${s.online ? 'TRUE' : 'FALSE'}, ${polled})`
    })
    await db.query(`INSERT INTO servers (${COLUMNS.join(', ')}, online, polled_at) VALUES ${rows.join(', ')}`, ...params)
  }
}

export interface FleetRow {
  id: string
  url: string
  secret: string
  tag: string | null
  state: string
  online: boolean
  load: number | null
  load_multiplier: number | null
  bbb_version: string | null
  meetings: number | null
  users: number | null
  largest_meeting: number | null
  videos: number | null
  /** ms since the epoch. */
  polled_at: number | null
  healthy_counter: number
  unhealthy_counter: number
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

/**
 * Read as text, so no driver applies its local time zone: SQLite gives what was written (Prisma's ISO
 * text, a plain SQL literal in UTC, or ms), PostgreSQL its timestamp text (UTC, as Prisma writes it).
 */
function time(v: unknown): number | null {
  if (v === null || v === undefined) return null
  const text = String(v)
  if (/^\d+$/.test(text)) return Number(text)
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`)
}

/** Every server row, sorted by id. */
export async function fleetRows(db: TestDb): Promise<FleetRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT id, url, secret, tag, state, online, load, load_multiplier, bbb_version, meetings, users, largest_meeting, videos, CAST(polled_at AS TEXT) AS polled_at, healthy_counter, unhealthy_counter FROM servers ORDER BY id',
  )
  return rows.map((r) => ({
    id: r.id as string,
    url: r.url as string,
    secret: r.secret as string,
    tag: r.tag as string | null,
    state: r.state as string,
    online: r.online === true || r.online === 1,
    load: num(r.load),
    load_multiplier: num(r.load_multiplier),
    bbb_version: r.bbb_version as string | null,
    meetings: num(r.meetings),
    users: num(r.users),
    largest_meeting: num(r.largest_meeting),
    videos: num(r.videos),
    polled_at: time(r.polled_at),
    healthy_counter: Number(r.healthy_counter),
    unhealthy_counter: Number(r.unhealthy_counter),
  }))
}

/** One server row by id. */
export async function fleetRow(db: TestDb, id: string): Promise<FleetRow> {
  const row = (await fleetRows(db)).find((r) => r.id === id)
  if (!row) throw new Error(`no server row ${id}`)
  return row
}

/** Warnings come in the order the servers answered; sorted, with every other line after them in order. */
export function sortWarnings(stderr: string): string {
  const lines = stderr.split(/(?<=\n)/)
  return [...lines.filter((l) => l.startsWith('warning: ')).sort(), ...lines.filter((l) => !l.startsWith('warning: '))].join('')
}
