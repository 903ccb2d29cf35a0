// The migrations of both databases must produce exactly the data model in prisma/models.prisma.
// `npm run db:check` replays them into shadow databases with Prisma's schema engine (Wasm) and diffs.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { freshDb, type TestDb } from '../support/db.ts'

let shadow: TestDb

beforeAll(async () => {
  shadow = await freshDb('postgres')
})
afterAll(() => shadow.drop())

test('the migrations of both providers match prisma/models.prisma (npm run db:check)', async () => {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['prisma/migrate-dev.mjs', 'check'], { env: { ...process.env, SHADOW_PG_URL: shadow.url } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  )
  expect(result).toEqual({
    code: 0,
    stdout: 'sqlite: migrations match prisma/models.prisma\npostgres: migrations match prisma/models.prisma\n',
    stderr: '',
  })
})

test('both providers have the same migrations, by name', () => {
  const names = (provider: string) => {
    const dir = new URL(`../../prisma/${provider}/migrations/`, import.meta.url)
    return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : []
  }
  expect(names('sqlite').length).toBeGreaterThan(0)
  expect(names('postgres')).toEqual(names('sqlite'))
})
