// `doctor`: what Scalelite operators keep tripping over, judged from plain facts read from the store
// (no I/O here). Each problem names its check, the object, what is wrong and how to fix it, with a
// command of this tool where there is one. Secrets never appear: a tenant is named, not its secrets.
import type { DoctorFacts, ServerState } from '../db/store.ts'
import { redactUrl } from '../redact.ts'
import { isServerUrl, serverUrlKey, tagNeverMatches, urlLacksApiPath } from '../schemas/server.ts'
import { hasEmptySecret } from '../schemas/tenant.ts'

/** The checks, in the order their problems are listed. */
export const CHECKS = [
  'orphan_meeting',
  'bad_server_url',
  'server_url_path',
  'duplicate_server_url',
  'no_untagged_server',
  'unmatchable_tag',
  'empty_tenant_secret',
  'duplicate_tenant_name',
  'orphan_tenant_setting',
] as const
export type Check = (typeof CHECKS)[number]

/** `servers`: the fleet as a whole (no id), as the audit trail names a change of many servers. */
export type ObjectKind = 'meeting' | 'server' | 'servers' | 'tenant' | 'tenant_setting'

export interface Problem {
  check: Check
  object: ObjectKind
  id: string | null
  message: string
  fix: string
}

export interface Diagnosis {
  healthy: boolean
  problems: Problem[]
}

/** A word as a shell reads it: bare when safe, else in single quotes. */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(text)) return text
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** A string literal of SQL. */
const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`

const cmd = (...words: string[]) => ['scalelite-admin', ...words].join(' ')

const STATE_ORDER: Record<ServerState, number> = { enabled: 0, cordoned: 1, disabled: 2 }

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

type Server = DoctorFacts['servers'][number]
type Where = DoctorFacts['where']

/** How to change a server's URL: `servers sync` keeps the id on SQL; on Redis that is Scalelite's own sync. */
function urlFix(where: Where, server: Server, suggestion: string): string {
  if (where.kind === 'redis')
    return `${cmd('servers', 'remove', shellWord(server.id))}, then ${cmd('servers', 'add', shellWord(suggestion), '<secret>')} (a new id), or set its url with Scalelite's rake servers:sync`
  return `${cmd('servers', 'export')} > fleet.yml, set url: ${suggestion} for ${server.id} there, then ${cmd('servers', 'sync', 'fleet.yml', '--mode', 'keep')}`
}

/** The BBB API URL the operator most likely meant: `/bigbluebutton/api` on a bare host, else the path up to or with `/api`. */
export function apiUrl(url: string): string {
  if (!isServerUrl(url)) {
    const host = url.trim().replace(/^[a-z]+:\/*/i, '').replace(/^[^@/?#]*@/, '').replace(/[/?#].*$/s, '')
    return `https://${/^[A-Za-z0-9.-]+(:\d+)?$/.test(host) ? host : '<host>'}/bigbluebutton/api`
  }
  const parsed = new URL(url)
  const path = parsed.pathname.replace(/\/+$/, '')
  const base = `${parsed.protocol}//${parsed.host}`
  if (path === '') return `${base}/bigbluebutton/api`
  const api = /^(.*?\/api)(\/|$)/.exec(path)
  return `${base}${api ? api[1] : `${path}/api`}`
}

function meetingProblems(facts: DoctorFacts): Problem[] {
  return facts.strayMeetings.map(({ id, serverId }) => ({
    check: 'orphan_meeting',
    object: 'meeting',
    id,
    message:
      serverId === null
        ? `meeting ${id} points at no server: joins and a new create of this meeting id fail`
        : `meeting ${id} points at server ${serverId}, which does not exist: joins and a new create of this meeting id fail`,
    fix:
      facts.where.kind === 'redis'
        ? `it expires with its TTL; to remove it now: DEL ${facts.where.prefix}meeting:${id}, SREM ${facts.where.prefix}meetings ${id}, and HDEL its voice bridge from ${facts.where.prefix}voice_bridges`
        : `DELETE FROM meetings WHERE id = ${sqlText(id)}`,
  }))
}

function urlProblems(facts: DoctorFacts): Problem[] {
  const problems: Problem[] = []
  for (const server of facts.servers) {
    const shown = redactUrl(server.url)
    if (!isServerUrl(server.url))
      problems.push({
        check: 'bad_server_url',
        object: 'server',
        id: server.id,
        message: `server ${server.id} has the URL '${shown}', which is not http:// or https:// with a host: no BBB call can reach it`,
        fix: urlFix(facts.where, server, apiUrl(server.url)),
      })
    else if (urlLacksApiPath(server.url))
      problems.push({
        check: 'server_url_path',
        object: 'server',
        id: server.id,
        message: `server ${server.id} has the URL ${shown}, whose path does not end in /api: BBB calls made relative to it fail`,
        fix: urlFix(facts.where, server, apiUrl(server.url)),
      })
  }
  return problems
}

/** Servers with the same URL as serverUrlKey compares them; the first kept is enabled before cordoned before disabled, then by id. */
function duplicateServers(facts: DoctorFacts): Problem[] {
  const groups = new Map<string, Server[]>()
  for (const server of facts.servers) {
    const key = serverUrlKey(server.url)
    groups.set(key, [...(groups.get(key) ?? []), server])
  }
  const problems: Problem[] = []
  for (const group of groups.values()) {
    if (group.length < 2) continue
    const [kept, ...others] = [...group].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || byText(a.id, b.id)) as [Server, ...Server[]]
    for (const server of others)
      problems.push({
        check: 'duplicate_server_url',
        object: 'server',
        id: server.id,
        message: `server ${server.id} (${server.state}) has the same URL as server ${kept.id} (${kept.state}): ${redactUrl(server.url)}`,
        fix: cmd('servers', 'remove', shellWord(server.id)),
      })
  }
  return problems
}

/**
 * Scalelite issue #1143: a create without a server tag goes only to untagged servers. Enabled is what
 * counts (cordoned and disabled servers take no new meetings); online does not, as it is the poller's
 * view of the moment, not configuration, and `servers status` shows it.
 */
function untaggedProblems(facts: DoctorFacts): Problem[] {
  const enabled = facts.servers.filter((s) => s.state === 'enabled')
  const tagged = enabled.filter((s) => s.tag !== null && s.tag !== '')
  if (tagged.length === 0 || tagged.length < enabled.length) return []
  // Never suggest enabling a server that doctor says to remove or whose URL no BBB call can use.
  const unfit = new Set([...duplicateServers(facts), ...urlProblems(facts)].map((p) => p.id))
  const standby = facts.servers
    .filter((s) => s.state !== 'enabled' && (s.tag === null || s.tag === '') && !unfit.has(s.id))
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || byText(a.id, b.id))[0]
  const first = [...tagged].sort((a, b) => byText(a.id, b.id))[0] as Server
  const all = `all ${tagged.length} enabled server${tagged.length === 1 ? ' is' : 's are'} tagged: creates without meta_server-tag fail (Scalelite issue #1143)`
  return [
    standby
      ? {
          check: 'no_untagged_server',
          object: 'servers',
          id: null,
          message: `${all}; server ${standby.id} is untagged and ${standby.state}`,
          fix: cmd('servers', 'enable', shellWord(standby.id)),
        }
      : {
          check: 'no_untagged_server',
          object: 'servers',
          id: null,
          message: `${all}; untag one, or add an untagged server with ${cmd('servers', 'add', '<url>', '<secret>', '--enable')}`,
          fix: cmd('servers', 'update', shellWord(first.id), '--tag', "''"),
        },
  ]
}

/** Scalelite splits a requested tag on `;` and strips a trailing `!`: such a server tag never equals a request. */
function tagProblems(facts: DoctorFacts): Problem[] {
  const problems: Problem[] = []
  for (const server of facts.servers) {
    const tag = server.tag
    if (!tagNeverMatches(tag)) continue
    const cleaned = tag.replace(/!+$/, '').replace(/;+/g, '-').replace(/^-+|-+$/g, '')
    problems.push({
      check: 'unmatchable_tag',
      object: 'server',
      id: server.id,
      message: `server ${server.id} has the tag '${tag}', which no meta_server-tag can match (it contains ';' or ends in '!')`,
      fix: cmd('servers', 'update', shellWord(server.id), '--tag', cleaned === '' ? "''" : shellWord(cleaned)),
    })
  }
  return problems
}

/** An empty secret in the list lets anyone compute the tenant's checksums. The secrets are never shown. */
function secretProblems(facts: DoctorFacts): Problem[] {
  const problems: Problem[] = []
  for (const tenant of facts.tenants) {
    if (!hasEmptySecret(tenant.secrets)) continue
    const items = tenant.secrets.split(':')
    const empty = items.filter((s) => s === '').length
    problems.push({
      check: 'empty_tenant_secret',
      object: 'tenant',
      id: tenant.id,
      message:
        tenant.secrets === ''
          ? `tenant '${tenant.name}' has no secret: anyone can compute its checksums`
          : `tenant '${tenant.name}' has ${empty === 1 ? 'an empty secret' : `${empty} empty secrets`} in its list of ${items.length}: anyone can compute its checksums`,
      fix: `${cmd('tenants', 'update', shellWord(tenant.id), '--secrets', '<secret[:secret…]>')} with no empty item`,
    })
  }
  return problems
}

/**
 * A tenant name is the first label of the request host, a DNS label: case does not count. The first
 * kept is the first by name, then by id.
 */
function duplicateTenants(facts: DoctorFacts): Problem[] {
  const groups = new Map<string, DoctorFacts['tenants']>()
  for (const tenant of facts.tenants) {
    const key = tenant.name.toLowerCase()
    groups.set(key, [...(groups.get(key) ?? []), tenant])
  }
  const problems: Problem[] = []
  for (const group of groups.values()) {
    if (group.length < 2) continue
    const [kept, ...others] = [...group].sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id)) as [DoctorFacts['tenants'][number], ...DoctorFacts['tenants']]
    for (const tenant of others)
      problems.push({
        check: 'duplicate_tenant_name',
        object: 'tenant',
        id: tenant.id,
        message:
          tenant.name === kept.name
            ? `tenant ${tenant.id} has the same name as tenant ${kept.id}: '${tenant.name}'`
            : `tenant ${tenant.id} is named '${tenant.name}' and tenant ${kept.id} '${kept.name}': the same subdomain, as case does not count`,
        fix: `${cmd('tenants', 'update', shellWord(tenant.id), '--name', '<another-name>')}, or ${cmd('tenants', 'delete', shellWord(tenant.id))} if it is a leftover`,
      })
  }
  return problems
}

function settingProblems(facts: DoctorFacts): Problem[] {
  const tenants = new Set(facts.tenants.map((t) => t.id))
  return facts.tenantSettings
    .filter((s) => !tenants.has(s.tenantId))
    .map(({ id, tenantId, param }) => ({
      check: 'orphan_tenant_setting',
      object: 'tenant_setting',
      id,
      message: tenantId === '' ? `tenant setting ${id} (${param}) belongs to no tenant` : `tenant setting ${id} (${param}) belongs to tenant ${tenantId}, which does not exist`,
      fix: `scalelite-admin tenants settings remove ${id}`,
    }))
}

/** Every problem, in CHECKS order, then by id. Nothing on a healthy fleet. */
export function diagnose(facts: DoctorFacts): Diagnosis {
  const problems = [
    ...meetingProblems(facts),
    ...urlProblems(facts),
    ...duplicateServers(facts),
    ...untaggedProblems(facts),
    ...tagProblems(facts),
    ...secretProblems(facts),
    ...duplicateTenants(facts),
    ...settingProblems(facts),
  ].sort((a, b) => CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check) || byText(a.id ?? '', b.id ?? ''))
  return { healthy: problems.length === 0, problems }
}
