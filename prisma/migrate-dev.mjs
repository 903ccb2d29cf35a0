// Writes and checks the migration SQL of both providers at development time, without Prisma's native
// schema engine (its download host is unreachable here): the same engine compiled to Wasm
// (@prisma/schema-engine-wasm, pinned to the engine hash of the prisma version) driven through the
// driver adapters. See ../shared/notes/prisma-offline.md §1d.
//   node prisma/migrate-dev.mjs create <name>   new prisma/{sqlite,postgres}/migrations/<ts>_<name>/migration.sql
//   node prisma/migrate-dev.mjs check           exit 1 when the migrations do not produce prisma/models.prisma
// PostgreSQL needs a scratch database for the shadow schema: SHADOW_PG_URL
// (default postgresql://postgres@127.0.0.1:55432/shadow). It is wiped on every run.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'

const require = createRequire(import.meta.url)
const root = fileURLToPath(new URL('..', import.meta.url))
const filters = { externalTables: [], externalEnums: [] }

async function loadSchemaEngine() {
  // The package's own entry uses ESM Wasm imports, which Node 20 lacks; instantiate by hand.
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const bg = await import(bgPath)
  const wasm = readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'))
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { './schema_engine_bg.js': bg })
  bg.__wbg_set_wasm(instance.exports)
  instance.exports.__wbindgen_start()
  return bg.SchemaEngine
}

// adapter-pg 7.10 cannot decode Postgres' internal "char" type (OID 18), which the engine reads from
// pg_catalog when it describes a database; report it as text.
class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    const fix = (result) => {
      for (const r of [result].flat()) for (const f of r?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25
      return result
    }
    if (typeof values === 'function') {
      callback = values
      values = undefined
    }
    if (typeof callback === 'function') return super.query(config, values, (err, res) => callback(err, err ? res : fix(res)))
    const pending = super.query(config, values)
    return pending && typeof pending.then === 'function' ? pending.then(fix) : pending
  }
}

function adapterFor(provider) {
  if (provider === 'sqlite') {
    const factory = new PrismaBetterSqlite3({ url: ':memory:' })
    const connectShadow = factory.connectToShadowDb.bind(factory)
    // The engine sends whole migration scripts through executeRaw; better-sqlite3 takes one statement there.
    factory.connectToShadowDb = async () => {
      const adapter = await connectShadow()
      const executeRaw = adapter.executeRaw.bind(adapter)
      adapter.executeRaw = async (q) => (q.args?.length ? executeRaw(q) : (await adapter.executeScript(q.sql), 0))
      return adapter
    }
    return factory
  }
  // adapter-pg's own connectToShadowDb ignores shadowDatabaseUrl; use the scratch database and wipe it.
  const url = process.env.SHADOW_PG_URL ?? 'postgresql://postgres@127.0.0.1:55432/shadow'
  const make = () => new PrismaPg({ connectionString: url, Client: CharAsTextClient })
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => make().connect(),
    connectToShadowDb: async () => {
      const adapter = await make().connect()
      // adapter-pg splits a script on every ';', quoted ones too (a trigger function's body); send it
      // whole, as the runtime runner (src/db/migrate.ts) does with the simple-query protocol.
      adapter.executeScript = async (script) => {
        try {
          await adapter.client.query(script)
        } catch (error) {
          adapter.onError(error)
        }
      }
      await adapter.executeScript('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;')
      return adapter
    },
  }
}

function migrationsOf(dir) {
  const lockFile = path.join(dir, 'migration_lock.toml')
  const lock = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : null
  const dirs = (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') } },
    }))
  return { baseDir: dir, lockfile: { path: 'migration_lock.toml', content: lock }, migrationDirectories: dirs, shadowDbInitScript: '' }
}

async function diff(SchemaEngine, provider) {
  const schemaPath = path.join(root, 'prisma', provider, 'schema.prisma')
  const files = [{ path: schemaPath, content: readFileSync(schemaPath, 'utf8') }]
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFor(provider))
  const engine = await SchemaEngine.new({ datamodels: files.map((f) => [f.path, f.content]) }, () => {}, adapter)
  const dir = path.join(root, 'prisma', provider, 'migrations')
  try {
    const { stdout, exitCode } = await engine.diff({
      from: { tag: 'migrations', ...migrationsOf(dir) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters,
    })
    return { dir, sql: stdout ?? '', changed: exitCode === 2 }
  } catch (e) {
    const details = adapter.errorRegistry.registeredErrors.filter(Boolean).map((r) => r.error?.message ?? String(r.error))
    throw new Error(`${provider}: ${e.message}${details.length ? `\nadapter: ${details.join('\n')}` : ''}`)
  } finally {
    engine.free?.()
  }
}

const [command, name] = process.argv.slice(2)
if (!(command === 'check' || (command === 'create' && name))) {
  console.error('usage: node prisma/migrate-dev.mjs create <name> | check')
  process.exit(2)
}
execFileSync(process.execPath, [path.join(root, 'prisma/schemas.mjs')], { stdio: 'inherit' })
const SchemaEngine = await loadSchemaEngine()
const lockText = (p) => `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${p}"\n`
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
let drift = false

for (const [provider, lockProvider] of [['sqlite', 'sqlite'], ['postgres', 'postgresql']]) {
  const lockFile = path.join(root, 'prisma', provider, 'migrations', 'migration_lock.toml')
  if (!existsSync(lockFile)) {
    // The engine reads the provider from the lock file, even for an empty history.
    mkdirSync(path.dirname(lockFile), { recursive: true })
    writeFileSync(lockFile, lockText(lockProvider))
  }
  const { dir, sql, changed } = await diff(SchemaEngine, provider)
  if (command === 'check') {
    if (changed) {
      drift = true
      console.error(`${provider}: migrations are behind prisma/models.prisma:\n${sql}`)
    } else {
      console.log(`${provider}: migrations match prisma/models.prisma`)
    }
    continue
  }
  if (!changed) {
    console.log(`${provider}: no changes`)
    continue
  }
  const out = path.join(dir, `${stamp}_${name}`)
  mkdirSync(out, { recursive: true })
  writeFileSync(path.join(out, 'migration.sql'), sql)
  console.log(`${provider}: wrote ${path.relative(root, out)}/migration.sql`)
}
// The adapters' pools would otherwise keep the process alive for their idle timeout.
process.exit(drift ? 1 : 0)
