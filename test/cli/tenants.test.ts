// The `tenants` commands as a user and a script see them: the built binary, stdout, stderr and the
// exit code compared exactly, on SQLite, PostgreSQL and Redis. Tenants a test starts from, and the
// lrs_*/kc_* fields that only Scalelite's rake tasks set, are written by the fixture helpers (plain SQL,
// or on Redis the keys as Scalelite writes them): every CLI run costs a process start.
//
// Each test has its own database, so the tests of a section run concurrently.
import { randomUUID } from 'node:crypto'
import { afterAll, describe } from 'vitest'
import { cli, json, type CliResult } from '../support/cli.ts'
import { BACKENDS, removeTempDirs, type TestDb, withDb } from '../support/db.ts'
import type { RedisTestDb } from '../support/redis-db.ts'

afterAll(removeTempDirs)

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`
const ok = (stdout: string, stderr = ''): CliResult => ({ stdout, stderr, code: 0 })
const failed = (code: number, message: string): CliResult => ({ stdout: '', stderr: `error: ${message}\n`, code })
const failedJson = (code: number, body: Record<string, string>): CliResult => ({ stdout: '', stderr: jsonLine(body), code })

const NEEDS = 'Error: both name and secrets are required to create a Tenant'
const notFound = (ref: string) => `Couldn't find Tenant with id=${ref}`
const exists = (name: string, id: string) => `Tenant already exists with name=${name} (id=${id})`

// The API bodies, keys in Scalelite's order.
const addBody = (t: Tenant) => ({ tenant: { name: t.name, secrets: t.secrets, new_record: false, destroyed: false, id: t.id } })
const updateBody = (t: Tenant) => ({ tenant: { new_record: false, destroyed: false, name: t.name, secrets: t.secrets, id: t.id } })
const showBody = (t: Tenant, extra: Record<string, string> = {}) => ({ new_record: false, destroyed: false, name: t.name, secrets: t.secrets, ...extra, id: t.id })

interface Tenant {
  id: string
  name: string
  secrets: string
}

const run = (db: TestDb) => (...args: string[]) => cli(args, { db: db.url })

/** The id in a command's JSON output, or a marker that makes the comparison after it fail readably. */
function idOf(result: CliResult): string {
  try {
    const body = JSON.parse(result.stdout) as { id?: string; tenant?: { id: string } }
    return body.tenant?.id ?? body.id ?? '<no id>'
  } catch {
    return `<no JSON on stdout: ${JSON.stringify(result)}>`
  }
}

/** The schema, as the first command leaves it, and these tenants as another program writes them. */
async function seed(db: TestDb, ...tenants: [name: string, secrets: string][]): Promise<Tenant[]> {
  await db.prepare()
  const seeded: Tenant[] = []
  for (const [name, secrets] of tenants) {
    const tenant = { id: randomUUID(), name, secrets }
    await db.insertTenant(tenant)
    seeded.push(tenant)
  }
  return seeded
}

/** The tenants as stored, sorted by name. */
const rows = (db: TestDb) => db.tenantRows()

describe.each(BACKENDS)('tenants on %s', (backend) => {
  const it = withDb(backend)

  // spec/requests/tenants_controller_spec.rb of Scalelite, with its values, through the CLI.
  describe.concurrent('Scalelite request specs', () => {
    it('addTenant: creates a tenant and prints {"tenant":{name,secrets,new_record,destroyed,id}}', async ({ db, expect }) => {
      const result = await run(db)('tenants', 'add', 'test-tenant', 'test-secret', '--json')
      const id = idOf(result)

      expect(result).toEqual(ok(`{"tenant":{"name":"test-tenant","secrets":"test-secret","new_record":false,"destroyed":false,"id":"${id}"}}\n`))
      expect(id).toMatch(UUID_V4)
      expect(await rows(db)).toEqual([{ id, name: 'test-tenant', secrets: 'test-secret' }])
    })

    it('addTenant: a missing name or secrets is exit 2 with the message body, and nothing is written', async ({ db, expect }) => {
      // The spec's two cases (no name, no secrets), and neither; empty strings count as missing.
      const [noName, noSecrets, neither, blank] = await Promise.all([
        run(db)('tenants', 'add', '', 'test-secret', '--json'),
        run(db)('tenants', 'add', 'test-name', '--json'),
        run(db)('tenants', 'add'),
        run(db)('tenants', 'add', 'test-name', ''),
      ])

      expect(noName).toEqual(failedJson(2, { message: NEEDS }))
      expect(noSecrets).toEqual(failedJson(2, { message: NEEDS }))
      expect(neither).toEqual(failed(2, NEEDS))
      expect(blank).toEqual(failed(2, NEEDS))
      expect(await run(db)('tenants', 'list', '--json')).toEqual(ok('[]\n'))
    })

    it('getTenants: [{id,name,secrets}] sorted by name, [] when there are none', async ({ db, expect }) => {
      expect(await run(db)('tenants', 'list', '--json')).toEqual(ok('[]\n'))

      const [c, a, b] = await seed(db, ['tenant-c', 'secret-c'], ['tenant-a', 'secret-a1:secret-a2'], ['tenant-b', 'secret-b'])

      const listed = await run(db)('tenants', 'list', '--json')
      expect(listed).toEqual(ok(jsonLine([a, b, c].map((t) => ({ id: t.id, name: t.name, secrets: t.secrets })))))
      expect(listed.stdout).toBe(
        `[{"id":"${a.id}","name":"tenant-a","secrets":"secret-a1:secret-a2"},` +
          `{"id":"${b.id}","name":"tenant-b","secrets":"secret-b"},{"id":"${c.id}","name":"tenant-c","secrets":"secret-c"}]\n`,
      )
    })

    it('getTenantInfo: by id and by name, {new_record,destroyed,name,secrets,id}', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])
      const [byId, byName] = await Promise.all([run(db)('tenants', 'show', t.id, '--json'), run(db)('tenants', 'show', 'test-tenant', '--json')])

      const expected = ok(`{"new_record":false,"destroyed":false,"name":"test-tenant","secrets":"test-secret","id":"${t.id}"}\n`)
      expect(byId).toEqual(expected)
      expect(byName).toEqual(expected)
    })

    it('getTenantInfo: an unknown tenant is exit 3, "Couldn\'t find Tenant with id=<x>"', async ({ db, expect }) => {
      await seed(db, ['test-tenant', 'test-secret'])
      const [asJson, human] = await Promise.all([
        run(db)('tenants', 'show', 'nonexistent-id', '--json'),
        run(db)('tenants', 'show', 'nonexistent-id'),
      ])

      expect(asJson).toEqual(failedJson(3, { error: notFound('nonexistent-id') }))
      expect(human).toEqual(failed(3, notFound('nonexistent-id')))
    })

    it('updateTenant: a new name; the id stays and the old name finds nothing', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      const result = await run(db)('tenants', 'update', t.id, '--name', 'new-name', '--json')

      const renamed = { ...t, name: 'new-name' }
      expect(result).toEqual(ok(`{"tenant":{"new_record":false,"destroyed":false,"name":"new-name","secrets":"test-secret","id":"${t.id}"}}\n`))
      expect(await rows(db)).toEqual([renamed])
      const [byNew, byOld] = await Promise.all([run(db)('tenants', 'show', 'new-name', '--json'), run(db)('tenants', 'show', 'test-tenant', '--json')])
      expect(byNew).toEqual(ok(jsonLine(showBody(renamed))))
      expect(byOld).toEqual(failedJson(3, { error: notFound('test-tenant') }))
    })

    it('updateTenant: new secrets', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      const result = await run(db)('tenants', 'update', 'test-tenant', '--secrets', 'new-secret', '--json')

      expect(result).toEqual(ok(jsonLine(updateBody({ ...t, secrets: 'new-secret' }))))
      expect(await rows(db)).toEqual([{ ...t, secrets: 'new-secret' }])
    })

    it('deleteTenant: {"success":"Tenant id=<id> was destroyed"} and the row is gone', async ({ db, expect }) => {
      const [t, other] = await seed(db, ['test-tenant', 'test-secret'], ['other-tenant', 'other-secret'])

      expect(await run(db)('tenants', 'delete', t.id, '--json')).toEqual(ok(`{"success":"Tenant id=${t.id} was destroyed"}\n`))
      expect(await rows(db)).toEqual([other])
    })

    it('deleteTenant: an unknown tenant is exit 3 and nothing is deleted', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])
      const [asJson, human] = await Promise.all([
        run(db)('tenants', 'delete', 'nonexistent-id', '--json'),
        run(db)('tenants', 'delete', 'nonexistent-id'),
      ])

      expect(asJson).toEqual(failedJson(3, { error: notFound('nonexistent-id') }))
      expect(human).toEqual(failed(3, notFound('nonexistent-id')))
      expect(await rows(db)).toEqual([t])
    })
  })

  describe.concurrent('tenants show', () => {
    it('shows the lrs_*/kc_* fields that are set, between secrets and id, in the model order', async ({ db, expect }) => {
      const [full, partial] = await seed(db, ['full', 'full-secret'], ['partial', 'partial-secret'])
      // Set in another order than the model's, as the rake tasks (or anyone with SQL) might.
      await db.setTenant(full.id, {
        kc_password: 'kc-pass',
        kc_username: 'kc-user',
        kc_client_secret: 'kc-client-secret',
        kc_client_id: 'kc-client',
        kc_token_url: 'https://kc.example.com/token',
        lrs_password: 'lrs-pass',
        lrs_username: 'lrs-user',
        lrs_endpoint: 'https://lrs.example.com/xapi',
      })
      await db.setTenant(partial.id, { kc_client_id: 'kc-client', lrs_endpoint: 'https://lrs.example.com/xapi' })

      const [showFull, showPartial, listed] = await Promise.all([
        run(db)('tenants', 'show', 'full', '--json'),
        run(db)('tenants', 'show', partial.id, '--json'),
        run(db)('tenants', 'list', '--json'),
      ])

      expect(showFull).toEqual(
        ok(
          `{"new_record":false,"destroyed":false,"name":"full","secrets":"full-secret",` +
            `"lrs_endpoint":"https://lrs.example.com/xapi","lrs_username":"lrs-user","lrs_password":"lrs-pass",` +
            `"kc_token_url":"https://kc.example.com/token","kc_client_id":"kc-client","kc_client_secret":"kc-client-secret",` +
            `"kc_username":"kc-user","kc_password":"kc-pass","id":"${full.id}"}\n`,
        ),
      )
      expect(showPartial).toEqual(
        ok(
          `{"new_record":false,"destroyed":false,"name":"partial","secrets":"partial-secret",` +
            `"lrs_endpoint":"https://lrs.example.com/xapi","kc_client_id":"kc-client","id":"${partial.id}"}\n`,
        ),
      )
      // The list keeps to {id, name, secrets}.
      expect(listed).toEqual(ok(jsonLine([full, partial])))
    })

    it('piped: field<TAB>value lines; secrets and the lrs/kc passwords masked unless --show-secrets', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'short:exactly12chr:a-much-longer-secret'])
      await db.setTenant(t.id, {
        lrs_endpoint: 'https://lrs.example.com/xapi',
        lrs_username: 'lrs-user',
        lrs_password: 'lrs-password-long',
        kc_client_id: 'kc-client',
        kc_client_secret: 'kcsecret',
        kc_password: 'kc-password-long',
      })

      const [masked, shown] = await Promise.all([run(db)('tenants', 'show', 'acme'), run(db)('tenants', 'show', 'acme', '--show-secrets')])

      expect(masked).toEqual(
        ok(
          `id\t${t.id}\nname\tacme\nsecrets\t****:exa****chr:a-m****ret\nlrs_endpoint\thttps://lrs.example.com/xapi\n` +
            'lrs_username\tlrs-user\nlrs_password\tlrs****ong\nkc_client_id\tkc-client\nkc_client_secret\t****\nkc_password\tkc-****ong\n',
        ),
      )
      expect(shown).toEqual(
        ok(
          `id\t${t.id}\nname\tacme\nsecrets\tshort:exactly12chr:a-much-longer-secret\nlrs_endpoint\thttps://lrs.example.com/xapi\n` +
            'lrs_username\tlrs-user\nlrs_password\tlrs-password-long\nkc_client_id\tkc-client\nkc_client_secret\tkcsecret\nkc_password\tkc-password-long\n',
        ),
      )
    })
  })

  describe.concurrent('tenants add', () => {
    it('piped: the new tenant as field<TAB>value lines, secrets masked', async ({ db, expect }) => {
      const result = await run(db)('tenants', 'add', 'acme', 's3cr3t-one:s3cr3t-two-long')
      const [row] = await rows(db)

      expect(row?.id).toMatch(UUID_V4)
      expect(result).toEqual(ok(`id\t${row?.id}\nname\tacme\nsecrets\t****:s3c****ong\n`))
    })

    it('a second tenant with the same name is a conflict (exit 4) and nothing is written', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'secret-1'])

      const [asJson, human] = await Promise.all([run(db)('tenants', 'add', 'acme', 'secret-2', '--json'), run(db)('tenants', 'add', 'acme', 'secret-3')])

      expect(asJson).toEqual(failedJson(4, { error: exists('acme', t.id) }))
      expect(human).toEqual(failed(4, exists('acme', t.id)))
      expect(await rows(db)).toEqual([t])
    })
  })

  describe.concurrent('tenants list', () => {
    it('piped: one id<TAB>name<TAB>secrets row per tenant, no header; secrets masked item by item', async ({ db, expect }) => {
      const [b, a] = await seed(db, ['beta', 'averyverylongsecret'], ['alpha', 'short:abcdefghijkl:x'])

      const [masked, shown, none] = await Promise.all([
        run(db)('tenants', 'list'),
        run(db)('tenants', 'list', '--show-secrets'),
        run(db)('tenants', 'list', '--json', '--show-secrets'),
      ])

      expect(masked).toEqual(ok(`${a.id}\talpha\t****:abc****jkl:****\n${b.id}\tbeta\tave****ret\n`))
      expect(shown).toEqual(ok(`${a.id}\talpha\tshort:abcdefghijkl:x\n${b.id}\tbeta\taveryverylongsecret\n`))
      // --json always carries the secrets, with or without --show-secrets.
      expect(none).toEqual(ok(jsonLine([a, b])))
    })

    it('piped with no tenants: nothing on stdout or stderr, exit 0', async ({ db, expect }) => {
      expect(await run(db)('tenants', 'list')).toEqual(ok(''))
    })
  })

  describe.concurrent('tenants update', () => {
    it('name and secrets at once', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      const result = await run(db)('tenants', 'update', 'test-tenant', '--name', 'new-name', '--secrets', 'new-1:new-2', '--json')

      const updated = { id: t.id, name: 'new-name', secrets: 'new-1:new-2' }
      expect(result).toEqual(ok(jsonLine(updateBody(updated))))
      expect(await rows(db)).toEqual([updated])
    })

    it('nothing, blank values or the same values: a no-op that exits 0 and prints the tenant', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])
      const unchanged = ok(jsonLine(updateBody(t)))

      const results = await Promise.all([
        run(db)('tenants', 'update', t.id, '--json'),
        run(db)('tenants', 'update', t.id, '--name', '', '--secrets', '', '--json'),
        run(db)('tenants', 'update', 'test-tenant', '--name', 'test-tenant', '--json'),
      ])

      for (const result of results) expect(result).toEqual(unchanged)
      expect(await rows(db)).toEqual([t])
    })

    it('a blank value is ignored while the other is changed', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      const result = await run(db)('tenants', 'update', t.id, '--name', '', '--secrets', 'new-secret', '--json')

      expect(result).toEqual(ok(jsonLine(updateBody({ ...t, secrets: 'new-secret' }))))
      expect(await rows(db)).toEqual([{ ...t, secrets: 'new-secret' }])
    })

    it('piped: the updated tenant as field<TAB>value lines', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      expect(await run(db)('tenants', 'update', t.id, '--secrets', 'a-secret-of-20-chars')).toEqual(
        ok(`id\t${t.id}\nname\ttest-tenant\nsecrets\ta-s****ars\n`),
      )
    })

    it('an unknown tenant is exit 3', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])
      const [asJson, human] = await Promise.all([
        run(db)('tenants', 'update', 'nonexistent-id', '--name', 'x', '--json'),
        run(db)('tenants', 'update', 'nonexistent-id', '--secrets', 'x'),
      ])

      expect(asJson).toEqual(failedJson(3, { error: notFound('nonexistent-id') }))
      expect(human).toEqual(failed(3, notFound('nonexistent-id')))
      expect(await rows(db)).toEqual([t])
    })

    it('renaming onto a name that is taken is a conflict (exit 4) and changes nothing', async ({ db, expect }) => {
      const [a, b] = await seed(db, ['tenant-a', 'secret-a'], ['tenant-b', 'secret-b'])

      const [asJson, human] = await Promise.all([
        run(db)('tenants', 'update', a.id, '--name', 'tenant-b', '--secrets', 'changed', '--json'),
        run(db)('tenants', 'update', 'tenant-a', '--name', 'tenant-b'),
      ])

      expect(asJson).toEqual(failedJson(4, { error: exists('tenant-b', b.id) }))
      expect(human).toEqual(failed(4, exists('tenant-b', b.id)))
      expect(await rows(db)).toEqual([a, b])
    })
  })

  describe.concurrent('tenants update: the learning record store fields', () => {
    const ALL = {
      lrs_endpoint: 'https://lrs.example.com/xapi',
      lrs_username: 'lrs-user',
      lrs_password: 'lrs-password-long',
      kc_token_url: 'https://kc.example.com/token',
      kc_client_id: 'kc-client',
      kc_client_secret: 'kc-client-secret-long',
      kc_username: 'kc-user',
      kc_password: 'kcpass',
    }
    const FLAGS = [
      '--lrs-endpoint', ALL.lrs_endpoint, '--lrs-username', ALL.lrs_username, '--lrs-password', ALL.lrs_password,
      '--kc-token-url', ALL.kc_token_url, '--kc-client-id', ALL.kc_client_id, '--kc-client-secret', ALL.kc_client_secret,
      '--kc-username', ALL.kc_username, '--kc-password', ALL.kc_password,
    ]

    it('all eight at once: stored as the tenant fields, carried by --json in the model order before id', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'acme-secret'])

      const result = await run(db)('tenants', 'update', 'acme', ...FLAGS, '--json')

      expect(result).toEqual(
        ok(
          `{"tenant":{"new_record":false,"destroyed":false,"name":"acme","secrets":"acme-secret",` +
            `"lrs_endpoint":"https://lrs.example.com/xapi","lrs_username":"lrs-user","lrs_password":"lrs-password-long",` +
            `"kc_token_url":"https://kc.example.com/token","kc_client_id":"kc-client","kc_client_secret":"kc-client-secret-long",` +
            `"kc_username":"kc-user","kc_password":"kcpass","id":"${t.id}"}}\n`,
        ),
      )
      expect(await db.tenantExtra(t.id)).toEqual(ALL)
      expect(await run(db)('tenants', 'show', t.id, '--json')).toEqual(ok(jsonLine(showBody(t, ALL))))
      // On Redis, Scalelite's own field names on the tenant hash, and nothing else.
      if (db.backend === 'redis') {
        const { redis, seed: s } = db as RedisTestDb
        expect(await redis.hgetall(s.k.tenant(t.id))).toEqual({ name: 'acme', secrets: 'acme-secret', ...ALL })
      }
    })

    it('only what is given changes; an empty value unsets a field', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'acme-secret'])
      await db.setTenant(t.id, ALL)

      const result = await run(db)('tenants', 'update', t.id, '--lrs-username', 'new-user', '--kc-password', '', '--kc-token-url', '', '--json')

      const { kc_password: _, kc_token_url: __, ...rest } = { ...ALL, lrs_username: 'new-user' }
      expect(result).toEqual(ok(jsonLine({ tenant: { new_record: false, destroyed: false, name: 'acme', secrets: 'acme-secret', ...rest, id: t.id } })))
      expect(await db.tenantExtra(t.id)).toEqual(rest)
      expect(await rows(db)).toEqual([t])
    })

    it('piped: the tenant as field<TAB>value lines, lrs_password, kc_client_secret and kc_password masked unless --show-secrets', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'acme-secret'])

      const masked = await run(db)('tenants', 'update', 'acme', ...FLAGS)
      const shown = await run(db)('tenants', 'update', 'acme', '--name', 'acme', '--show-secrets')

      const lines = (secrets: string, password: string, clientSecret: string, kcPassword: string) =>
        `id\t${t.id}\nname\tacme\nsecrets\t${secrets}\nlrs_endpoint\thttps://lrs.example.com/xapi\n` +
        `lrs_username\tlrs-user\nlrs_password\t${password}\nkc_token_url\thttps://kc.example.com/token\nkc_client_id\tkc-client\n` +
        `kc_client_secret\t${clientSecret}\nkc_username\tkc-user\nkc_password\t${kcPassword}\n`
      expect(masked).toEqual(ok(lines('****', 'lrs****ong', 'kc-****ong', '****')))
      expect(shown).toEqual(ok(lines('acme-secret', ALL.lrs_password, ALL.kc_client_secret, ALL.kc_password)))
    })

    it('an unknown tenant is exit 3 and nothing is written', async ({ db, expect }) => {
      const [t] = await seed(db, ['acme', 'acme-secret'])

      expect(await run(db)('tenants', 'update', 'nope', '--lrs-endpoint', 'https://lrs.example.com/xapi', '--json')).toEqual(failedJson(3, { error: notFound('nope') }))
      expect(await db.tenantExtra(t.id)).toEqual({})
    })
  })

  describe.concurrent('tenants delete', () => {
    it('by name, piped: the success text as one line, without a question', async ({ db, expect }) => {
      const [t] = await seed(db, ['test-tenant', 'test-secret'])

      expect(await run(db)('tenants', 'delete', 'test-tenant')).toEqual(ok(`Tenant id=${t.id} was destroyed\n`))
      expect(await rows(db)).toEqual([])
      expect(await run(db)('tenants', 'delete', 'test-tenant', '--json')).toEqual(failedJson(3, { error: notFound('test-tenant') }))
    })
  })

  it('20 concurrent adds of one name: exactly one succeeds, 19 are conflicts (exit 4), one row', async ({ db, expect }) => {
    // The schema first, so that the adds race on the name and not on the first-use migration.
    expect(await run(db)('tenants', 'list', '--json')).toEqual(ok('[]\n'))

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(db)('tenants', 'add', 'same-name', `secret-${i}`, '--json')))

    const winners = results.filter((r) => r.code === 0)
    expect(winners).toHaveLength(1)
    const winner = json<ReturnType<typeof addBody>>(winners[0] as CliResult).tenant
    expect(winners[0]).toEqual(ok(jsonLine(addBody(winner))))
    const losers = results.filter((r) => r.code !== 0)
    expect(losers).toEqual(Array.from({ length: 19 }, () => failedJson(4, { error: exists('same-name', winner.id) })))
    expect(await rows(db)).toEqual([{ id: winner.id, name: 'same-name', secrets: winner.secrets }])
  })
})
