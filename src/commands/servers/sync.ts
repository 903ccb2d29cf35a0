import type { Command } from 'commander'
import { z } from 'zod'
import { endMeetings } from '../../bbb/end-meetings.ts'
import { bbbSettings } from '../../config.ts'
import type { Server, ServerChange, ServerChanges, Store } from '../../db/store.ts'
import { ChangesPending, ConflictError, PartialFailureError } from '../../errors.ts'
import { readDocument } from '../../io/input.ts'
import { showSyncReport } from '../../io/views.ts'
import { type FleetEntry, parseFleetFile, SYNC_MODES, type SyncChange, type SyncMode, type SyncReport } from '../../schemas/fleet-file.ts'
import { parseInput } from '../../schemas/parse.ts'
import { serverUrlKey, sortByHostname } from '../../schemas/server.ts'
import { REASON, action, examples } from '../context.ts'

interface Options {
  mode?: string
  dryRun?: boolean
}

const syncSchema = z.object({
  mode: z
    .string()
    .optional()
    .transform((mode, ctx): SyncMode => {
      if (mode === undefined) return 'cordon'
      if (!(SYNC_MODES as readonly string[]).includes(mode)) {
        ctx.addIssue({ code: 'custom', message: `Unknown sync mode '${mode}' (choose: ${SYNC_MODES.join(' ')})` })
        return z.NEVER
      }
      return mode as SyncMode
    }),
  dryRun: z.boolean().optional().transform((v) => v === true),
})

export interface SyncPlan {
  /** One transaction: removals first (they free URLs), then updates, then creations. */
  steps: ServerChange[]
  /** Servers whose meetings force mode ends before removing them, after the transaction. */
  forceRemove: string[]
  report: SyncChange[]
}

/**
 * Scalelite's ServerSync rules. In the file: missing servers are created (enabled unless
 * `enabled: false`), url, secret, load_multiplier and tag are updated where they differ, `enabled:
 * true` enables, `enabled: false` cordons an enabled server. Missing from the file (unless keep): a
 * server without meetings is removed; one with meetings is cordoned if enabled, and in force mode
 * removed once its meetings are ended.
 */
export function planSync(entries: FleetEntry[], servers: Server[], meetingCounts: Map<string, number>, mode: SyncMode): SyncPlan {
  const byId = new Map(servers.map((s) => [s.id, s]))
  const removals: ServerChange[] = []
  const updates: ServerChange[] = []
  const creations: ServerChange[] = []
  const forceRemove: string[] = []
  const report: SyncChange[] = []

  for (const entry of entries) {
    const current = byId.get(entry.id)
    if (!current) {
      const state = entry.enabled ? 'enabled' : 'disabled'
      const { id, url, secret, tag, loadMultiplier } = entry
      creations.push({ kind: 'create', server: { id, url, urlKey: serverUrlKey(url), secret, tag, loadMultiplier, state } })
      report.push({ id, change: 'create', fields: [], state, in_file: true, meetings: 0 })
      continue
    }
    const changes: ServerChanges = {}
    const fields: string[] = []
    if (entry.url !== current.url) (changes.url = entry.url), fields.push('url')
    if (entry.secret !== current.secret) (changes.secret = entry.secret), fields.push('secret')
    // A server with no multiplier stored has 1.0 (what export writes for it).
    if (entry.loadMultiplier !== (current.loadMultiplier ?? 1)) (changes.loadMultiplier = entry.loadMultiplier), fields.push('load_multiplier')
    if (entry.tag !== current.tag) (changes.tag = entry.tag), fields.push('tag')
    if (entry.enabled && current.state !== 'enabled') changes.state = 'enabled'
    if (!entry.enabled && current.state === 'enabled') changes.state = 'cordoned'
    if (changes.state) fields.push('state')
    if (fields.length === 0) continue
    updates.push({ kind: 'update', id: entry.id, changes })
    report.push({ id: entry.id, change: 'update', fields, state: changes.state ?? current.state, in_file: true, meetings: 0 })
  }

  if (mode !== 'keep') {
    const listed = new Set(entries.map((e) => e.id))
    for (const server of sortByHostname(servers.filter((s) => !listed.has(s.id)))) {
      const meetings = meetingCounts.get(server.id) ?? 0
      const removed: SyncChange = { id: server.id, change: 'remove', fields: [], state: null, in_file: false, meetings }
      if (meetings === 0) {
        removals.push({ kind: 'remove', id: server.id })
        report.push(removed)
        continue
      }
      // Cordoned first, so that no new meeting lands on it while force mode ends the others.
      if (server.state === 'enabled') updates.push({ kind: 'update', id: server.id, changes: { state: 'cordoned' } })
      if (mode === 'force') {
        forceRemove.push(server.id)
        report.push(removed)
      } else if (server.state === 'enabled') {
        report.push({ id: server.id, change: 'update', fields: ['state'], state: 'cordoned', in_file: false, meetings })
      }
    }
  }
  return { steps: [...removals, ...updates, ...creations], forceRemove, report }
}

/** Force mode: end the meetings of each server (each row goes once its call was tried), then remove it. */
async function endAndRemove(store: Store, ids: string[], servers: Server[], settings: ReturnType<typeof bbbSettings>, warn: (text: string) => void, onStep: (failed: boolean) => void) {
  let failedCalls = 0
  const notEmpty: string[] = []
  for (const id of ids) {
    const server = servers.find((s) => s.id === id) as Server
    const outcomes = await endMeetings(server, await store.meetingsOf(id), settings, async ({ meetingId, error }) => {
      onStep(error !== undefined)
      if (error !== undefined) warn(`Could not end meeting id=${meetingId}: ${error}`)
      await store.deleteMeetings(id, [meetingId])
    })
    failedCalls += outcomes.filter((o) => o.error !== undefined).length
    try {
      await store.removeServer(id, false)
      onStep(false)
    } catch (e) {
      // Meetings created meanwhile: Scalelite's message; the server stays cordoned.
      if (!(e instanceof ConflictError)) throw e
      onStep(true)
      notEmpty.push(`[${id}] Server still not empty!`)
    }
  }
  if (notEmpty.length > 0) throw new ConflictError(notEmpty.join(' '))
  if (failedCalls > 0) throw new PartialFailureError(`${failedCalls} end calls failed; the sync was applied and the meeting rows were removed all the same`)
}

export function register(servers: Command): void {
  servers
    .command('sync')
    .summary("make the servers match a servers:yaml document (Scalelite's servers:sync)")
    .description(
      "Make the servers match a document in the format of Scalelite's `rake servers:yaml` (verbose or not; `servers " +
        "export` writes it), with the rules of Scalelite's servers:sync. Servers missing from the document: --mode " +
        'keep leaves them; cordon (the default) removes those without meetings and cordons the others; force also ' +
        'ends their meetings on BBB and removes them. Everything is checked before anything is written, and the ' +
        'changes to the database are one transaction. --dry-run prints the same report and changes nothing: exit 0 ' +
        'when nothing would change, 1 when something would.',
    )
    .argument('<file>', 'the document, or - for stdin')
    .option('--mode <mode>', 'keep, cordon or force: what happens to servers missing from the document (default cordon)')
    .option('--dry-run', 'only print what would change (exit 1 when something would)')
    .option(...REASON)
    .addHelpText(
      'after',
      examples(
        'scalelite-admin servers export > fleet.yml && scalelite-admin servers sync fleet.yml',
        'scalelite-admin servers sync fleet.yml --mode keep --dry-run',
        'ssh old-lb "cd scalelite && bin/rake servers:yaml" | scalelite-admin servers sync - --mode keep',
      ),
    )
    .action(
      action(async (ctx, file: string, options: Options) => {
        const { mode, dryRun } = parseInput(syncSchema, options)
        const settings = mode === 'force' && !dryRun ? bbbSettings(ctx.env) : undefined
        const entries = parseFleetFile(await readDocument(file))

        const store = await ctx.store()
        const servers = await store.listServers()
        const listed = new Set(entries.map((e) => e.id))
        const counts = new Map<string, number>()
        if (mode !== 'keep')
          for (const server of servers) if (!listed.has(server.id)) counts.set(server.id, (await store.meetingsOf(server.id)).length)
        const plan = planSync(entries, servers, counts, mode)
        const report: SyncReport = { mode, dry_run: dryRun, changes: plan.report }

        if (dryRun) {
          showSyncReport(ctx.out, report)
          if (plan.report.length > 0) throw new ChangesPending()
          return
        }
        // Progress steps: the changes (one transaction), then in force mode each end call and each removal.
        const forceSteps = settings ? plan.forceRemove.reduce((n, id) => n + (counts.get(id) ?? 0) + 1, 0) : 0
        const progress = ctx.progress('syncing servers', plan.steps.length + forceSteps)
        try {
          await store.applyServerChanges(plan.steps)
        } catch (e) {
          progress.end()
          if (e instanceof ConflictError) throw new ConflictError(`${e.message}; nothing was changed`)
          throw e
        }
        progress.advance(false, plan.steps.length)
        if (settings)
          await endAndRemove(store, plan.forceRemove, servers, settings, (text) => ctx.out.warn(text), (failed) => progress.advance(failed)).finally(() => progress.end())
        progress.end()

        showSyncReport(ctx.out, report)
      }),
    )
}
