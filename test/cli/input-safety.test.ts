// Found by trying the tool as a new operator: URLs the WHATWG parser would "repair", credentials in a
// server URL, and a mistyped database path.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { cli, json } from '../support/cli.ts'
import { removeTempDirs, tempDir } from '../support/db.ts'

afterAll(removeTempDirs)

describe('server URLs and database paths', () => {
  test.each(['https:///api', 'http:/bbb9.example.com/bigbluebutton/api', 'https:/\\bbb9.example.com/api'])('%s is refused, nothing written', async (url) => {
    const db = `file:${path.join(tempDir(), 'x.db')}`
    expect(await cli(['servers', 'add', url, 'secret'], { db })).toEqual({
      stdout: '',
      stderr: `error: Server URL must start with http:// or https:// and name a host: ${url}\n`,
      code: 2,
    })
    expect(await cli(['servers', 'list', '--json'], { db })).toEqual({ stdout: '[]\n', stderr: '', code: 0 })
  })

  test('a password in a server URL is masked in human output, shown with --show-secrets and in JSON', async () => {
    const db = `file:${path.join(tempDir(), 'x.db')}`
    const url = 'https://admin:hunter2pass@bbb5.example.com/bigbluebutton/api'
    const { id } = json<{ id: string }>(await cli(['servers', 'add', url, 'secret', '--json'], { db }))
    const masked = await cli(['servers', 'list'], { db })
    expect(masked.stdout).toBe(`${id}\thttps://admin:****@bbb5.example.com/bigbluebutton/api\t****\t\t\tdisabled\tunavailable\t1.0\toffline\n`)
    expect((await cli(['servers', 'show', id, '--show-secrets'], { db })).stdout).toContain(`url\t${url}\n`)
    expect(json(await cli(['servers', 'show', id, '--json'], { db })).url).toBe(url)
  })

  test('an explicit file: path in a missing folder is an error, and nothing is created', async () => {
    const dir = path.join(tempDir(), 'typo', 'sub')
    expect(await cli(['servers', 'list'], { db: `file:${dir}/x.db` })).toEqual({
      stdout: '',
      stderr: `error: cannot create the SQLite database ${dir}/x.db: the folder ${dir} does not exist\n`,
      code: 1,
    })
    expect(existsSync(path.dirname(dir))).toBe(false)
  })
})
