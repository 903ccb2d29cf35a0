// The document of `servers status --json` (and of `servers poll --json`): the figures of Scalelite's
// `rake status` per server, how old they are, and the totals of the fleet.
import { z } from 'zod'
import type { ServerFigures } from '../db/store.ts'
import { serverHostname } from './server.ts'

/** Figures older than this (minutes) are stale unless --stale-after says otherwise: five missed runs of a per-minute poll. */
export const DEFAULT_STALE_AFTER_MINUTES = 5

export const statusSchema = z.object({
  staleAfter: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return DEFAULT_STALE_AFTER_MINUTES * 60_000
      const minutes = Number(raw)
      if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(minutes > 0)) {
        ctx.addIssue({ code: 'custom', message: `--stale-after must be a number of minutes above 0, not '${raw}'` })
        return z.NEVER
      }
      return minutes * 60_000
    }),
})

export interface StatusServer {
  id: string
  hostname: string
  state: 'enabled' | 'cordoned' | 'disabled'
  online: 'online' | 'offline'
  meetings: number | null
  users: number | null
  largest_meeting: number | null
  videos: number | null
  load: number | null
  bbb_version: string
  tag: string
  polled_at: string | null
  stale: boolean
}

export interface StatusTotals {
  servers: number
  enabled: number
  cordoned: number
  disabled: number
  online: number
  offline: number
  stale: number
  meetings: number
  users: number
  largest_meeting: number
  videos: number
  load: number
}

export interface StatusDocument {
  servers: StatusServer[]
  totals: StatusTotals
}

/** Figures never taken, or taken longer ago than staleAfterMs, are stale. */
export const isStale = (polledAt: Date | null, now: number, staleAfterMs: number) => polledAt === null || now - polledAt.getTime() > staleAfterMs

/** The servers in the order given (sorted by hostname by the caller). */
export function statusJson(servers: ServerFigures[], now: number, staleAfterMs: number): StatusDocument {
  const rows = servers.map(
    (s): StatusServer => ({
      id: s.id,
      hostname: serverHostname(s.url),
      state: s.state,
      online: s.online ? 'online' : 'offline',
      meetings: s.meetings,
      users: s.users,
      largest_meeting: s.largestMeeting,
      videos: s.videos,
      load: s.state === 'disabled' ? null : s.load,
      bbb_version: s.bbbVersion ?? '',
      tag: s.tag ?? '',
      polled_at: s.polledAt?.toISOString() ?? null,
      stale: isStale(s.polledAt, now, staleAfterMs),
    }),
  )
  const sum = (pick: (r: StatusServer) => number | null) => rows.reduce((total, r) => total + (pick(r) ?? 0), 0)
  const counted = (test: (r: StatusServer) => boolean) => rows.filter(test).length
  return {
    servers: rows,
    totals: {
      servers: rows.length,
      enabled: counted((r) => r.state === 'enabled'),
      cordoned: counted((r) => r.state === 'cordoned'),
      disabled: counted((r) => r.state === 'disabled'),
      online: counted((r) => r.online === 'online'),
      offline: counted((r) => r.online === 'offline'),
      stale: counted((r) => r.stale),
      meetings: sum((r) => r.meetings),
      users: sum((r) => r.users),
      largest_meeting: rows.reduce((max, r) => Math.max(max, r.largest_meeting ?? 0), 0),
      videos: sum((r) => r.videos),
      // Loads are multiples of the multipliers; keep float noise (0.1 + 0.2) out of the total.
      load: Math.round(sum((r) => r.load) * 1e6) / 1e6,
    },
  }
}
