// In-process tests of src/doctor/checks.ts: each check finds its problem exactly once, with its fix,
// and nothing is found on a healthy fleet. Secrets never appear in what is reported.
import { describe, expect, test } from 'vitest'
import type { DoctorFacts } from '../../src/db/store.ts'
import { apiUrl, diagnose, shellWord } from '../../src/doctor/checks.ts'

const SQL: DoctorFacts['where'] = { kind: 'sqlite' }
const REDIS: DoctorFacts['where'] = { kind: 'redis', prefix: 'scalelite:' }

type ServerFact = DoctorFacts['servers'][number]

const server = (id: string, s: Partial<ServerFact> = {}): ServerFact => ({
  id,
  url: `https://${id}.example.com/bigbluebutton/api`,
  tag: null,
  state: 'enabled',
  ...s,
})

/** A healthy fleet: untagged and tagged enabled servers, a cordoned one, tenants with settings. */
function healthy(where: DoctorFacts['where'] = SQL): DoctorFacts {
  return {
    where,
    servers: [server('bbb1'), server('bbb2', { tag: 'big' }), server('bbb3', { state: 'cordoned', url: 'http://bbb3.example.com/bigbluebutton/api/' })],
    strayMeetings: [],
    tenants: [
      { id: 't1', name: 'acme', secrets: 'secret-one:secret-two' },
      { id: 't2', name: 'globex', secrets: 'secret-three' },
    ],
    tenantSettings: [{ id: 'ts1', tenantId: 't1', param: 'meta_server-tag' }],
  }
}

const facts = (change: Partial<DoctorFacts>, where: DoctorFacts['where'] = SQL): DoctorFacts => ({ ...healthy(where), ...change })

describe('diagnose', () => {
  test('a healthy fleet, an empty one, and one with only disabled tagged servers have no problems', () => {
    expect(diagnose(healthy())).toEqual({ healthy: true, problems: [] })
    expect(diagnose(healthy(REDIS))).toEqual({ healthy: true, problems: [] })
    expect(diagnose({ where: SQL, servers: [], strayMeetings: [], tenants: [], tenantSettings: [] })).toEqual({ healthy: true, problems: [] })
    // No enabled server at all: untagged creates have nowhere to go either way; not this check's business.
    expect(diagnose(facts({ servers: [server('bbb1', { tag: 'big', state: 'disabled' })] })).problems).toEqual([])
  })

  test('orphan_meeting: a meeting whose server is gone, or that names none; the fix per backend', () => {
    const stray = [
      { id: "it's", serverId: 'gone' },
      { id: 'm-null', serverId: null },
    ]
    expect(diagnose(facts({ strayMeetings: stray })).problems).toEqual([
      {
        check: 'orphan_meeting',
        object: 'meeting',
        id: "it's",
        message: "meeting it's points at server gone, which does not exist: joins and a new create of this meeting id fail",
        fix: "DELETE FROM meetings WHERE id = 'it''s'",
      },
      {
        check: 'orphan_meeting',
        object: 'meeting',
        id: 'm-null',
        message: 'meeting m-null points at no server: joins and a new create of this meeting id fail',
        fix: "DELETE FROM meetings WHERE id = 'm-null'",
      },
    ])
    expect(diagnose(facts({ strayMeetings: [{ id: 'm1', serverId: 'gone' }] }, REDIS)).problems[0]?.fix).toBe(
      'it expires with its TTL; to remove it now: DEL scalelite:meeting:m1, SREM scalelite:meetings m1, and HDEL its voice bridge from scalelite:voice_bridges',
    )
  })

  test('bad_server_url and server_url_path, with the URL to use; a password in a URL is not shown', () => {
    const servers = [
      server('a', { url: 'bbb0.example.com' }),
      server('b', { url: 'https://bbb-b.example.com' }),
      server('c', { url: 'https://admin:pa55word@bbb-c.example.com/bigbluebutton' }),
      server('d', { url: 'ftp://bbb-d.example.com/bigbluebutton/api' }),
    ]
    const problems = diagnose(facts({ servers: [...healthy().servers, ...servers] })).problems
    expect(problems.map((p) => [p.check, p.id])).toEqual([
      ['bad_server_url', 'a'],
      ['bad_server_url', 'd'],
      ['server_url_path', 'b'],
      ['server_url_path', 'c'],
    ])
    expect(problems[0]).toEqual({
      check: 'bad_server_url',
      object: 'server',
      id: 'a',
      message: "server a has the URL 'bbb0.example.com', which is not http:// or https:// with a host: no BBB call can reach it",
      fix: 'scalelite-admin servers export > fleet.yml, set url: https://bbb0.example.com/bigbluebutton/api for a there, then scalelite-admin servers sync fleet.yml --mode keep',
    })
    expect(problems[3]?.message).toBe('server c has the URL https://admin:****@bbb-c.example.com/bigbluebutton, whose path does not end in /api: BBB calls made relative to it fail')
    expect(JSON.stringify(problems)).not.toContain('pa55word')
    // On Redis, servers sync cannot re-address a server: remove and add again.
    expect(diagnose(facts({ servers: [server('b', { url: 'https://bbb-b.example.com' })] }, REDIS)).problems[0]?.fix).toBe(
      "scalelite-admin servers remove b, then scalelite-admin servers add https://bbb-b.example.com/bigbluebutton/api <secret> (a new id), or set its url with Scalelite's rake servers:sync",
    )
  })

  test('apiUrl suggests the BBB API URL', () => {
    expect(apiUrl('https://h.example.com')).toBe('https://h.example.com/bigbluebutton/api')
    expect(apiUrl('https://H.example.com:8443/bigbluebutton/')).toBe('https://h.example.com:8443/bigbluebutton/api')
    expect(apiUrl('https://h.example.com/bigbluebutton/api/create?x=1')).toBe('https://h.example.com/bigbluebutton/api')
    expect(apiUrl('h.example.com/bigbluebutton/api')).toBe('https://h.example.com/bigbluebutton/api')
    expect(apiUrl('https://h.example.com/bigbluebutton/api//')).toBe('https://h.example.com/bigbluebutton/api')
    expect(apiUrl('not a url')).toBe('https://<host>/bigbluebutton/api')
  })

  test('duplicate_server_url: the same URL as serverUrlKey compares them; the enabled one is kept', () => {
    const servers = [
      server('z-enabled', { url: 'https://bbb1.example.com/bigbluebutton/api' }),
      server('a-disabled', { url: 'HTTPS://BBB1.EXAMPLE.COM/bigbluebutton/api/', state: 'disabled' }),
      server('b-cordoned', { url: 'Https://bbb1.Example.com/bigbluebutton/api', state: 'cordoned' }),
      // The path's case counts: another server.
      server('other', { url: 'https://bbb1.example.com/BigBlueButton/api' }),
    ]
    expect(diagnose(facts({ servers })).problems).toEqual([
      {
        check: 'duplicate_server_url',
        object: 'server',
        id: 'a-disabled',
        message: 'server a-disabled (disabled) has the same URL as server z-enabled (enabled): HTTPS://BBB1.EXAMPLE.COM/bigbluebutton/api/',
        fix: 'scalelite-admin servers remove a-disabled',
      },
      {
        check: 'duplicate_server_url',
        object: 'server',
        id: 'b-cordoned',
        message: 'server b-cordoned (cordoned) has the same URL as server z-enabled (enabled): Https://bbb1.Example.com/bigbluebutton/api',
        fix: 'scalelite-admin servers remove b-cordoned',
      },
    ])
  })

  test('no_untagged_server: every enabled server tagged; the fix enables an untagged standby, else untags one', () => {
    const tagged = [server('bbb2', { tag: 'big' }), server('bbb1', { tag: 'small' })]
    expect(diagnose(facts({ servers: tagged })).problems).toEqual([
      {
        check: 'no_untagged_server',
        object: 'servers',
        id: null,
        message:
          'all 2 enabled servers are tagged: creates without meta_server-tag fail (Scalelite issue #1143); untag one, or add an untagged server with scalelite-admin servers add <url> <secret> --enable',
        fix: "scalelite-admin servers update bbb1 --tag ''",
      },
    ])
    const standby = [...tagged, server('bbb9', { state: 'disabled' }), server('bbb8', { state: 'cordoned' })]
    expect(diagnose(facts({ servers: standby })).problems[0]).toMatchObject({
      message: 'all 2 enabled servers are tagged: creates without meta_server-tag fail (Scalelite issue #1143); server bbb8 is untagged and cordoned',
      fix: 'scalelite-admin servers enable bbb8',
    })
    // Not one that doctor says to remove, nor one whose URL is broken.
    const unfit = [...tagged, server('bbb8', { state: 'cordoned', url: 'https://bbb1.example.com/bigbluebutton/api' }), server('bbb7', { state: 'cordoned', url: 'https://bbb7.test/' })]
    expect(diagnose(facts({ servers: unfit })).problems.find((p) => p.check === 'no_untagged_server')?.fix).toBe("scalelite-admin servers update bbb1 --tag ''")
    // Online does not count: an untagged enabled server that is offline is the poller's news, not configuration.
    expect(diagnose(facts({ servers: [...tagged, server('bbb3')] })).problems).toEqual([])
    expect(diagnose(facts({ servers: [server('bbb1', { tag: 'big' })] })).problems[0]?.message).toBe(
      'all 1 enabled server is tagged: creates without meta_server-tag fail (Scalelite issue #1143); untag one, or add an untagged server with scalelite-admin servers add <url> <secret> --enable',
    )
  })

  test("unmatchable_tag: ';' or a trailing '!'; the fix suggests a tag that can match", () => {
    const servers = [server('bbb1'), server('a', { tag: 'big;small' }), server('b', { tag: 'gpu!' }), server('c', { tag: '!' }), server('d', { tag: 'x!y' })]
    expect(diagnose(facts({ servers })).problems).toEqual([
      {
        check: 'unmatchable_tag',
        object: 'server',
        id: 'a',
        message: "server a has the tag 'big;small', which no meta_server-tag can match (it contains ';' or ends in '!')",
        fix: 'scalelite-admin servers update a --tag big-small',
      },
      {
        check: 'unmatchable_tag',
        object: 'server',
        id: 'b',
        message: "server b has the tag 'gpu!', which no meta_server-tag can match (it contains ';' or ends in '!')",
        fix: 'scalelite-admin servers update b --tag gpu',
      },
      {
        check: 'unmatchable_tag',
        object: 'server',
        id: 'c',
        message: "server c has the tag '!', which no meta_server-tag can match (it contains ';' or ends in '!')",
        fix: "scalelite-admin servers update c --tag ''",
      },
    ])
  })

  test('empty_tenant_secret: empty secrets, an empty item, a trailing colon; no secret is shown', () => {
    const tenants = [
      { id: 't1', name: 'acme', secrets: 'first-secret::second-secret' },
      { id: 't2', name: 'globex', secrets: 'only-secret:' },
      { id: 't3', name: 'initech', secrets: '' },
      { id: 't4', name: 'hooli', secrets: ':' },
      { id: 't5', name: 'fine', secrets: 'a:b' },
    ]
    const problems = diagnose(facts({ tenants, tenantSettings: [] })).problems
    expect(problems).toEqual([
      {
        check: 'empty_tenant_secret',
        object: 'tenant',
        id: 't1',
        message: "tenant 'acme' has an empty secret in its list of 3: anyone can compute its checksums",
        fix: 'scalelite-admin tenants update t1 --secrets <secret[:secret…]> with no empty item',
      },
      {
        check: 'empty_tenant_secret',
        object: 'tenant',
        id: 't2',
        message: "tenant 'globex' has an empty secret in its list of 2: anyone can compute its checksums",
        fix: 'scalelite-admin tenants update t2 --secrets <secret[:secret…]> with no empty item',
      },
      {
        check: 'empty_tenant_secret',
        object: 'tenant',
        id: 't3',
        message: "tenant 'initech' has no secret: anyone can compute its checksums",
        fix: 'scalelite-admin tenants update t3 --secrets <secret[:secret…]> with no empty item',
      },
      {
        check: 'empty_tenant_secret',
        object: 'tenant',
        id: 't4',
        message: "tenant 'hooli' has 2 empty secrets in its list of 2: anyone can compute its checksums",
        fix: 'scalelite-admin tenants update t4 --secrets <secret[:secret…]> with no empty item',
      },
    ])
    expect(JSON.stringify(problems)).not.toMatch(/first-secret|second-secret|only-secret/)
  })

  test('duplicate_tenant_name: exact (Redis) and equal ignoring case (a DNS label); the first by name then id is kept', () => {
    const tenants = [
      { id: 't3', name: 'acme', secrets: 's' },
      { id: 't1', name: 'acme', secrets: 's' },
      { id: 't2', name: 'ACME', secrets: 's' },
      { id: 't4', name: 'globex', secrets: 's' },
    ]
    expect(diagnose(facts({ tenants, tenantSettings: [] })).problems).toEqual([
      {
        check: 'duplicate_tenant_name',
        object: 'tenant',
        id: 't1',
        message: "tenant t1 is named 'acme' and tenant t2 'ACME': the same subdomain, as case does not count",
        fix: 'scalelite-admin tenants update t1 --name <another-name>, or scalelite-admin tenants delete t1 if it is a leftover',
      },
      {
        check: 'duplicate_tenant_name',
        object: 'tenant',
        id: 't3',
        message: "tenant t3 is named 'acme' and tenant t2 'ACME': the same subdomain, as case does not count",
        fix: 'scalelite-admin tenants update t3 --name <another-name>, or scalelite-admin tenants delete t3 if it is a leftover',
      },
    ])
    const exact = [
      { id: 't1', name: 'acme', secrets: 's' },
      { id: 't2', name: 'acme', secrets: 's' },
    ]
    expect(diagnose(facts({ tenants: exact, tenantSettings: [] })).problems.map((p) => p.message)).toEqual(["tenant t2 has the same name as tenant t1: 'acme'"])
  })

  test('orphan_tenant_setting: a setting whose tenant is gone; the fix per backend', () => {
    const tenantSettings = [...healthy().tenantSettings, { id: 'ts9', tenantId: 'gone', param: 'meta_server-tag' }]
    expect(diagnose(facts({ tenantSettings })).problems).toEqual([
      {
        check: 'orphan_tenant_setting',
        object: 'tenant_setting',
        id: 'ts9',
        message: 'tenant setting ts9 (meta_server-tag) belongs to tenant gone, which does not exist',
        fix: 'scalelite-admin tenants settings remove ts9',
      },
    ])
    expect(diagnose(facts({ tenantSettings }, REDIS)).problems[0]?.fix).toBe('scalelite-admin tenants settings remove ts9')
    // A Redis hash without tenant_id.
    expect(diagnose(facts({ tenantSettings: [{ id: 'ts0', tenantId: '', param: 'p' }] }, REDIS)).problems[0]?.message).toBe('tenant setting ts0 (p) belongs to no tenant')
  })

  test('problems are listed check by check, then by id', () => {
    const all = facts({
      servers: [server('bbb2', { tag: 'x;y' }), server('bbb1', { tag: 'big' })],
      strayMeetings: [{ id: 'm', serverId: null }],
      tenants: [{ id: 't1', name: 'acme', secrets: '' }],
      tenantSettings: [{ id: 'ts', tenantId: 'gone', param: 'p' }],
    })
    expect(diagnose(all).problems.map((p) => `${p.check} ${p.id}`)).toEqual([
      'orphan_meeting m',
      'no_untagged_server null',
      'unmatchable_tag bbb2',
      'empty_tenant_secret t1',
      'orphan_tenant_setting ts',
    ])
    expect(diagnose(all).healthy).toBe(false)
  })
})

test('shellWord quotes only what a shell would split or expand', () => {
  expect(shellWord('bbb1.example.com')).toBe('bbb1.example.com')
  expect(shellWord('a b')).toBe("'a b'")
  expect(shellWord("it's")).toBe(`'it'\\''s'`)
  expect(shellWord('$HOME')).toBe("'$HOME'")
})
