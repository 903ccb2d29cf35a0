// Input that Scalelite accepts but that cannot work as intended is accepted with a warning on stderr
// (the same problems `doctor` reports), never silently: a tag no meta_server-tag can match, and a
// tenant secret list with an empty secret in it.
import { afterAll, describe } from 'vitest'
import { cli, json } from '../support/cli.ts'
import { removeTempDirs, withDb } from '../support/db.ts'

afterAll(removeTempDirs)

const TAG = (tag: string) => `warning: the tag '${tag}' can never be matched: Scalelite splits a requested meta_server-tag on ';' and strips a trailing '!'\n`
const EMPTY = 'warning: the secrets contain an empty secret: anyone can compute checksums with it\n'

describe('warnings for input that cannot work as intended', () => {
  const it = withDb('sqlite')

  it('a tag with ; or a trailing !, and secrets with an empty item: done, with one warning each', async ({ db, expect }) => {
    const run = (...args: string[]) => cli(args, { db: db.url })

    const added = await run('servers', 'add', 'https://bbb1.risky.test/bigbluebutton/api', 'secret-123456', '--tag', 'gpu!', '--json')
    expect({ ...added, stdout: json(added).tag }).toEqual({ stdout: 'gpu!', stderr: TAG('gpu!'), code: 0 })
    expect(await run('servers', 'update', 'bbb1.risky.test', '--tag', 'big;small')).toMatchObject({ stderr: TAG('big;small'), code: 0 })
    expect(await run('servers', 'update', 'bbb1.risky.test', '--tag', 'big')).toMatchObject({ stderr: '', code: 0 })

    expect(await run('tenants', 'add', 'acme', 'one::two')).toMatchObject({ stderr: EMPTY, code: 0 })
    expect(await run('tenants', 'update', 'acme', '--secrets', 'one:')).toMatchObject({ stderr: EMPTY, code: 0 })
    expect(await run('tenants', 'update', 'acme', '--secrets', 'one:two')).toMatchObject({ stderr: '', code: 0 })
    expect(await run('tenants', 'add', 'initech', 'one:two')).toMatchObject({ stderr: '', code: 0 })
  })
})
