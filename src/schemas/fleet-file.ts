// The fleet as a document: what `rake servers:yaml` of Scalelite prints (`servers:` → id → url,
// secret, load_multiplier, tag, enabled; its verbose form adds state, load, bbb_version, online), and
// what `servers sync` reads back, with the validation and messages of Scalelite's ServerSync.
// YAML 1.1 on both sides, as Ruby's Psych: `enabled: yes` is true, and an id such as `on` is quoted.
import { Document, isMap, isScalar, type Node, Pair, parseDocument, Scalar, YAMLMap } from 'yaml'
import type { Server } from '../db/store.ts'
import { UsageError } from '../errors.ts'
import { isServerUrl, serverUrlKey } from './server.ts'

/** The keys a server may have in the file, and those of the verbose dump that sync ignores. */
const SYNC_KEYS = ['url', 'secret', 'enabled', 'load_multiplier', 'tag']
const IGNORED_KEYS = ['load', 'state', 'bbb_version', 'online']
const ID = /^[a-zA-Z0-9_.-]+$/

/** One server as the file describes it, Scalelite's defaults filled in. */
export interface FleetEntry {
  id: string
  url: string
  secret: string
  loadMultiplier: number
  /** null: untagged. */
  tag: string | null
  enabled: boolean
}

interface ExportedServer {
  url: string
  secret: string
  load_multiplier: number
  tag: string
  enabled: boolean
  state?: string
  load?: number
  bbb_version?: string
  online?: boolean
}

/** `{"servers":{id:{…}}}` in the order given; `enabled` is true for enabled servers only (cordoned ones dump false). */
export function exportDocument(servers: Server[], verbose: boolean): { servers: Map<string, ExportedServer> } {
  const entries = servers.map((s): [string, ExportedServer] => {
    // A server with no multiplier stored counts as 1.0 (Scalelite dumps 0.0, which its own sync refuses).
    const entry: ExportedServer = { url: s.url, secret: s.secret, load_multiplier: s.loadMultiplier ?? 1, tag: s.tag ?? '', enabled: s.state === 'enabled' }
    if (verbose) Object.assign(entry, { state: s.state, load: s.state === 'disabled' || s.load === null ? -1 : s.load, bbb_version: s.bbbVersion ?? '', online: s.online })
    return [s.id, entry]
  })
  return { servers: new Map(entries) }
}

/** As JSON (a Map becomes an object; numeric-looking ids keep their place). */
export function exportJson(document: ReturnType<typeof exportDocument>): string {
  return `{"servers":{${[...document.servers].map(([id, entry]) => `${JSON.stringify(id)}:${JSON.stringify(entry)}`).join(',')}}}`
}

/** As YAML in the style of Psych's dump: `---` first, floats with a decimal (`1.0`), `''` for an empty tag. */
export function exportYaml(document: ReturnType<typeof exportDocument>): string {
  const doc = new Document(null, { version: '1.1' })
  // Built by hand: YAML 1.1 would write a Map as !!omap, and a plain object puts numeric ids first.
  const servers = new YAMLMap<Scalar, YAMLMap<Scalar, Scalar>>()
  for (const [id, entry] of document.servers) {
    const node = doc.createNode(entry) as YAMLMap<Scalar, Scalar>
    for (const { key, value } of node.items) if (value && (key.value === 'load_multiplier' || key.value === 'load')) value.minFractionDigits = 1
    servers.items.push(new Pair(doc.createNode(id) as Scalar, node))
  }
  const root = new YAMLMap<Scalar, YAMLMap>()
  root.items.push(new Pair(doc.createNode('servers') as Scalar, servers))
  doc.contents = root
  return doc.toString({ directives: true, singleQuote: true, lineWidth: 0 })
}

const invalid = (message: string) => new UsageError(message)

/** How a value reads in a message: its text in the file for a scalar. */
function shown(node: unknown): string {
  if (isScalar(node)) return node.source ?? String(node.value)
  return JSON.stringify((node as Node | null)?.toJSON?.() ?? node)
}

/** A scalar's value as text; undefined for null, blank or a collection. */
function text(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined
  const value = String(node.value)
  return value.trim() === '' ? undefined : value
}

function loadMultiplier(id: string, node: unknown): number {
  if (node === undefined || (isScalar(node) && node.value === null)) return 1
  const value = isScalar(node) ? node.value : undefined
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\+?(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN
  if (!(number > 0) || !Number.isFinite(number)) throw invalid(`Server id=${id} has invalid load_multiplier=${shown(node)}`)
  return number
}

function entryOf(id: string, params: unknown): FleetEntry {
  if (!ID.test(id)) throw invalid(`Server id=${id} contains invalid characters`)
  if (params !== null && params !== undefined && !(isScalar(params) && params.value === null) && !isMap(params))
    throw invalid(`Server id=${id} parameters not a hash`)
  const fields = new Map<string, unknown>()
  for (const pair of isMap(params) ? params.items : []) fields.set(String(isScalar(pair.key) ? pair.key.value : pair.key), pair.value ?? undefined)

  const secret = text(fields.get('secret'))
  if (secret === undefined) throw invalid(`Server id=${id} has no secret`)
  const bad = [...fields.keys()].filter((k) => !SYNC_KEYS.includes(k) && !IGNORED_KEYS.includes(k))
  if (bad.length > 0) throw invalid(`Server id=${id} has bad parameters: [${bad.map((k) => JSON.stringify(k)).join(', ')}]`)
  const multiplier = loadMultiplier(id, fields.get('load_multiplier'))
  const url = text(fields.get('url')) ?? `https://${id}/bigbluebutton/api`
  if (!isServerUrl(url)) throw invalid(`Server id=${id} has invalid url=${url}`)

  // Our own checks, where Scalelite would take any value as true.
  const enabledNode = fields.get('enabled')
  const enabled = enabledNode === undefined || (isScalar(enabledNode) && enabledNode.value === null) ? true : isScalar(enabledNode) ? enabledNode.value : undefined
  if (typeof enabled !== 'boolean') throw invalid(`Server id=${id} has invalid enabled=${shown(enabledNode)} (true or false)`)
  const tagNode = fields.get('tag')
  if (tagNode !== undefined && !isScalar(tagNode)) throw invalid(`Server id=${id} has invalid tag=${shown(tagNode)}`)

  return { id, url, secret, loadMultiplier: multiplier, tag: text(tagNode) ?? null, enabled }
}

/** The servers of a sync file, in file order; a usage error with Scalelite's message for the first problem. */
export function parseFleetFile(source: string): FleetEntry[] {
  const doc = parseDocument(source, { version: '1.1', prettyErrors: false })
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw invalid('Invalid YAML document')
  const servers = doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'servers')?.value
  if (!isMap(servers)) throw invalid('Servers parameter not a hash')

  const entries = servers.items.map((pair) => entryOf(String(isScalar(pair.key) ? pair.key.value : pair.key), pair.value))
  const byUrl = new Map<string, string>()
  for (const entry of entries) {
    const key = serverUrlKey(entry.url)
    const other = byUrl.get(key)
    if (other !== undefined) throw invalid(`Server id=${entry.id} has the same url as server id=${other}: ${entry.url}`)
    byUrl.set(key, entry.id)
  }
  return entries
}

export const SYNC_MODES = ['keep', 'cordon', 'force'] as const
export type SyncMode = (typeof SYNC_MODES)[number]

/** One server that `servers sync` changes (or, with --dry-run, would change). */
export interface SyncChange {
  id: string
  change: 'create' | 'update' | 'remove'
  /** What an update changes, of url, secret, load_multiplier, tag, state; [] for create and remove. */
  fields: string[]
  /** The state after the change; null for remove. */
  state: 'enabled' | 'cordoned' | 'disabled' | null
  /** False for a server missing from the file. */
  in_file: boolean
  /** Meeting rows of a server missing from the file (a removal in force mode ends them first); 0 otherwise. */
  meetings: number
}

/** The document of `servers sync --json`, the same with --dry-run. */
export interface SyncReport {
  mode: SyncMode
  dry_run: boolean
  changes: SyncChange[]
}
