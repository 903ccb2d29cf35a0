// Polls many BBB servers at once: for each, getMeetings and the API root (for the version) in
// parallel, BBB_CONCURRENCY servers at a time. A server that has not answered within half a second
// gives its place to the next one and keeps waiting, up to its own timeouts, outside the bound: silent
// servers cannot hold up the rest of the fleet, and each costs no more than its own timeout.
import pLimit from 'p-limit'
import type { BbbSettings } from '../config.ts'
import { BbbClient, BbbError } from './client.ts'
import { parseMeetings, parseVersion, type PollOutcome } from './poll.ts'

/** How long a server keeps its place in the bound before it counts as slow (BBB answers in tens of ms). */
const SLOW_AFTER_MS = 500
/** Servers being polled at once, slow ones included (two sockets each; file descriptors are finite). */
const MAX_OPEN_SERVERS = 400

export interface PollTarget {
  id: string
  url: string
  secret: string
}

export interface PollResult {
  id: string
  outcome: PollOutcome
  /** Why getMeetings failed. */
  error?: string
  /** Why the API root failed while getMeetings answered. */
  versionError?: string
}

const describe = (e: unknown) => (e instanceof BbbError || e instanceof Error ? e.message : String(e))

async function pollOne(client: BbbClient, target: PollTarget): Promise<PollResult> {
  const [meetings, root] = await Promise.allSettled([client.call(target, 'getMeetings', []), client.call(target, '', [])])
  if (meetings.status === 'rejected') return { id: target.id, outcome: { ok: false }, error: describe(meetings.reason) }
  const parsed = parseMeetings(meetings.value)
  if (root.status === 'rejected') return { id: target.id, outcome: { ok: true, meetings: parsed }, versionError: describe(root.reason) }
  return { id: target.id, outcome: { ok: true, meetings: parsed, bbbVersion: parseVersion(root.value) } }
}

/**
 * Polls every target; `onResult` is called once per server as its result arrives (results are not
 * in the order given). Resolves when every server has answered or timed out and every onResult ended.
 */
export async function pollServers(targets: PollTarget[], settings: BbbSettings, onResult: (result: PollResult) => Promise<void>): Promise<void> {
  const client = new BbbClient(settings)
  const bound = pLimit(settings.concurrency)
  const open = pLimit(Math.max(settings.concurrency, MAX_OPEN_SERVERS))
  // Each server is usually an origin of its own; the bound above is what limits the calls.
  client.widen(2 * open.concurrency)
  const slowAfter = Math.min(SLOW_AFTER_MS, settings.connectTimeoutMs + settings.responseTimeoutMs)

  const pollInTurn = async (target: PollTarget) => {
    let calls!: Promise<PollResult>
    await bound(async () => {
      calls = pollOne(client, target)
      let timer: NodeJS.Timeout | undefined
      const slow = new Promise<void>((resolve) => (timer = setTimeout(resolve, slowAfter)))
      await Promise.race([calls, slow])
      clearTimeout(timer)
    })
    await onResult(await calls)
  }

  try {
    await Promise.all(targets.map((target) => open(() => pollInTurn(target))))
  } finally {
    client.close()
  }
}
