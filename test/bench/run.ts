// npm run bench: each figure of ours beside its baseline, measured in the same run, with the ratio and
// the target. Prints one table and writes it as JSON to test/bench/results.json.
// Whole processes are timed (spawn to exit), interleaved ours/baseline, medians of several runs.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import pg from 'pg'
import { startBbb } from '../support/bbb-server.ts'
import { startPostgres } from '../support/postgres-server.ts'

const ROOT = process.cwd()
const BIN = path.join(ROOT, 'bin', 'scalelite-admin')
const BASELINE = path.join(ROOT, 'test', 'bench', '.build', 'test', 'bench', 'baseline-list.js')
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const work = mkdtempSync(path.join(tmpdir(), 'sa-bench-'))
const CONCURRENCY = 25

interface Row {
  figure: string
  ours_ms: number
  baseline: string
  baseline_ms: number
  ratio: number
  target: string
  met: boolean
  note?: string
}
const rows: Row[] = []

interface Run {
  ms: number
  rssKb: number | null
  stdout: string
  code: number
}

/** Runs one process to its end; wall time from spawn to exit, peak RSS through /usr/bin/time. */
function run(argv: string[], env: Record<string, string> = {}, keepStdout = false): Promise<Run> {
  const rssFile = path.join(work, `rss-${randomBytes(4).toString('hex')}`)
  const command = TIME ? [TIME, '-f', '%M', '-o', rssFile, ...argv] : argv
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command[0] as string, command.slice(1), {
      env: { PATH: process.env.PATH ?? '', HOME: work, ...env },
      stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (d: Buffer) => out.push(d))
    child.stderr?.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      const rssKb = TIME && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : null
      if (code !== 0 && code !== 5) return reject(new Error(`${argv.join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`))
      resolve({ ms, rssKb, stdout: Buffer.concat(out).toString(), code: code ?? -1 })
    })
  })
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}
const ours = (args: string[], db: string, env: Record<string, string> = {}, keep = false) =>
  run([process.execPath, BIN, ...args], { DATABASE_URL: db, ...env }, keep)

/** Median wall time and peak memory of ours and the baseline, interleaved, after one warm-up each. */
async function compare(oursArgv: () => Promise<Run>, baseArgv: () => Promise<Run>, times = 5) {
  await oursArgv()
  await baseArgv()
  const a: Run[] = []
  const b: Run[] = []
  for (let i = 0; i < times; i++) {
    a.push(await oursArgv())
    b.push(await baseArgv())
  }
  return {
    ours: median(a.map((r) => r.ms)),
    base: median(b.map((r) => r.ms)),
    oursRss: median(a.map((r) => r.rssKb ?? 0)),
    baseRss: median(b.map((r) => r.rssKb ?? 0)),
  }
}

function record(row: Omit<Row, 'ratio' | 'met'>, limit: number) {
  const ratio = row.ours_ms / row.baseline_ms
  rows.push({ ...row, ours_ms: Math.round(row.ours_ms), baseline_ms: Math.round(row.baseline_ms), ratio: Math.round(ratio * 100) / 100, met: ratio <= limit })
}

// ---- fixtures ---------------------------------------------------------------------------------

interface Sql {
  exec(sql: string, params?: unknown[]): Promise<void>
  close(): Promise<void>
}

async function sqliteDb(name: string): Promise<{ url: string; sql: Sql }> {
  const file = path.join(work, `${name}.db`)
  const url = `file:${file}`
  await ours(['servers', 'list', '--json'], url) // creates the file and the schema
  const db = new Database(file)
  return {
    url,
    sql: {
      async exec(sql, params = []) {
        db.prepare(sql.replace(/\$\d+/g, '?')).run(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p)))
      },
      async close() {
        db.close()
      },
    },
  }
}

async function postgresDb(adminUrl: string, name: string): Promise<{ url: string; sql: Sql }> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  await ours(['servers', 'list', '--json'], url.toString())
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  return {
    url: url.toString(),
    sql: {
      async exec(sql, params = []) {
        await client.query(sql, params)
      },
      async close() {
        await client.end()
      },
    },
  }
}

const STATES = ['enabled', 'enabled', 'cordoned', 'disabled']

async function seedServers(sql: Sql, count: number): Promise<void> {
  await sql.exec('BEGIN')
  for (let i = 0; i < count; i++) {
    const state = STATES[i % STATES.length] as string
    const url = `https://bbb${String(i).padStart(5, '0')}.example.com/bigbluebutton/api`
    await sql.exec(
      'INSERT INTO servers (id, url, url_key, secret, tag, state, load, load_multiplier, online, bbb_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [randomUUID(), url, url, randomBytes(20).toString('hex'), i % 5 === 0 ? 'big' : null, state, state === 'disabled' ? null : (i % 40) * 1.5, i % 3 === 0 ? 2.5 : 1, i % 7 !== 0, '3.0.24'],
    )
  }
  await sql.exec('COMMIT')
}

function randomUUID(): string {
  return globalThis.crypto.randomUUID()
}

// ---- figures ----------------------------------------------------------------------------------

async function listFigures(label: string, make: (name: string) => Promise<{ url: string; sql: Sql }>) {
  for (const count of [10_000, 10]) {
    const { url, sql } = await make(`list_${count}`)
    await seedServers(sql, count)
    await sql.close()
    const mine = await ours(['servers', 'list', '--json'], url, {}, true)
    const theirs = await run([process.execPath, BASELINE, url], {}, true)
    if (mine.stdout !== theirs.stdout) throw new Error(`servers list --json and the baseline print different documents (${label}, ${count})`)
    const r = await compare(
      () => ours(['servers', 'list', '--json'], url),
      () => run([process.execPath, BASELINE, url]),
    )
    record(
      {
        figure: `servers list --json, ${count.toLocaleString('en')} servers (${label})`,
        ours_ms: r.ours,
        baseline: `bare ${label === 'SQLite' ? 'better-sqlite3' : 'pg'} script`,
        baseline_ms: r.base,
        target: 'ratio ≤ 2.0',
        note: TIME ? `peak RSS ${Math.round(r.oursRss / 1024)} MB vs ${Math.round(r.baseRss / 1024)} MB` : undefined,
      },
      2.0,
    )
  }
}

async function helpFigure() {
  const r = await compare(
    () => run([process.execPath, BIN, '--help']),
    () => run([process.execPath, '-e', '0']),
  )
  const profileDir = path.join(work, 'prof')
  await run([process.execPath, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, BIN, '--help'])
  const { readdirSync } = await import('node:fs')
  const profile = readFileSync(path.join(profileDir, readdirSync(profileDir)[0] as string), 'utf8')
  const loadsPrisma = /@prisma|generated\/(sqlite|postgres)/.test(profile)
  rows.push({
    figure: 'scalelite-admin --help',
    ours_ms: Math.round(r.ours),
    baseline: 'node -e 0',
    baseline_ms: Math.round(r.base),
    ratio: Math.round((r.ours / r.base) * 100) / 100,
    target: 'loads no Prisma',
    met: !loadsPrisma,
    note: loadsPrisma ? 'Prisma was loaded' : 'no Prisma module loaded',
  })
}

async function panicFigures(label: string, make: (name: string) => Promise<{ url: string; sql: Sql }>) {
  const MEETINGS = 1000
  const DELAY = 200
  const secret = 'bench-secret'
  const bbb = await startBbb({ secret, delayMs: DELAY })
  try {
    const times: number[] = []
    for (let round = 0; round < 3; round++) {
      const { url, sql } = await make(`panic_${round}`)
      const added = JSON.parse((await ours(['servers', 'add', bbb.url, secret, '--enable', '--json'], url, {}, true)).stdout) as { id: string }
      await sql.exec('BEGIN')
      for (let i = 0; i < MEETINGS; i++) await sql.exec('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, $2, $3)', [`m-${i}`, added.id, 'mpw'])
      await sql.exec('COMMIT')
      await sql.close()
      const result = await ours(['servers', 'panic', added.id, '--json'], url, { BBB_CONCURRENCY: String(CONCURRENCY) })
      if (result.code !== 0) throw new Error(`panic exited ${result.code}`)
      times.push(result.ms)
    }
    const ideal = Math.ceil(MEETINGS / CONCURRENCY) * DELAY
    record(
      {
        figure: `servers panic, ${MEETINGS} meetings, BBB answering in ${DELAY} ms (${label})`,
        ours_ms: median(times),
        baseline: `ideal: ${MEETINGS} / ${CONCURRENCY} × ${DELAY} ms`,
        baseline_ms: ideal,
        target: 'ratio ≤ 1.5',
      },
      1.5,
    )

    bbb.options = { secret, hang: true }
    const RESPONSE = 2
    const { url, sql } = await make('panic_hang')
    const added = JSON.parse((await ours(['servers', 'add', bbb.url, secret, '--enable', '--json'], url, {}, true)).stdout) as { id: string }
    await sql.exec('BEGIN')
    for (let i = 0; i < MEETINGS; i++) await sql.exec('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, $2, $3)', [`m-${i}`, added.id, 'mpw'])
    await sql.exec('COMMIT')
    await sql.close()
    const hung = await ours(['servers', 'panic', added.id, '--json'], url, { RESPONSE_TIMEOUT: String(RESPONSE), CONNECT_TIMEOUT: String(RESPONSE) })
    record(
      {
        figure: `servers panic, ${MEETINGS} meetings, BBB never answering, RESPONSE_TIMEOUT=${RESPONSE} (${label})`,
        ours_ms: hung.ms,
        baseline: '2 × RESPONSE_TIMEOUT',
        baseline_ms: 2 * RESPONSE * 1000,
        target: 'ratio ≤ 1.0',
        note: `exit ${hung.code}`,
      },
      1.0,
    )
  } finally {
    await bbb.stop()
  }
}

/**
 * servers poll of 500 servers, stand-ins answering in 100 ms and 50 never answering (RESPONSE_TIMEOUT
 * as the contract's default, 10 s), against the ideal 500 ÷ bound × 100 ms; the target is 1.5 ×
 * (the silent servers' own timeout + ideal).
 */
async function pollFigures(label: string, make: (name: string) => Promise<{ url: string; sql: Sql }>) {
  const SERVERS = 500
  const SILENT = 50
  const DELAY = 100
  const RESPONSE_S = 10
  const secret = 'bench-secret'
  // Ten answering stand-ins, so the calls spread over several origins as they do in a fleet.
  const answering = await Promise.all(Array.from({ length: 10 }, () => startBbb({ secret, delayMs: DELAY })))
  const silent = await startBbb({ secret, hang: true })
  try {
    const times: number[] = []
    let code = 0
    for (let round = 0; round < 3; round++) {
      const { url, sql } = await make(`poll_${round}`)
      await sql.exec('BEGIN')
      for (let i = 0; i < SERVERS; i++) {
        // Every tenth server is silent; each URL is a server of its own (the path leads to the same API).
        const bbb = i % (SERVERS / SILENT) === 0 ? silent : (answering[i % answering.length] as (typeof answering)[number])
        const server = bbb.url.replace('/bigbluebutton', `/s${String(i).padStart(3, '0')}/../bigbluebutton`)
        await sql.exec('INSERT INTO servers (id, url, secret, state, online) VALUES ($1, $2, $3, $4, $5)', [`srv-${i}`, server, secret, 'enabled', true])
      }
      await sql.exec('COMMIT')
      await sql.close()
      const result = await ours(['servers', 'poll', '--json'], url, { BBB_CONCURRENCY: String(CONCURRENCY), RESPONSE_TIMEOUT: String(RESPONSE_S) })
      code = result.code
      times.push(result.ms)
    }
    const ideal = (SERVERS / CONCURRENCY) * DELAY
    record(
      {
        figure: `servers poll, ${SERVERS} servers answering in ${DELAY} ms, ${SILENT} never answering, RESPONSE_TIMEOUT=${RESPONSE_S} (${label})`,
        ours_ms: median(times),
        baseline: `RESPONSE_TIMEOUT + ideal (${SERVERS} / ${CONCURRENCY} × ${DELAY} ms)`,
        baseline_ms: RESPONSE_S * 1000 + ideal,
        target: 'ratio ≤ 1.5',
        note: `exit ${code} (the silent servers are named)`,
      },
      1.5,
    )
  } finally {
    for (const bbb of [...answering, silent]) await bbb.stop()
  }
}

// ---- main -------------------------------------------------------------------------------------

const started = performance.now()
let stopCluster: (() => void) | undefined
try {
  await helpFigure()
  await listFigures('SQLite', sqliteDb)
  await panicFigures('SQLite', sqliteDb)
  await pollFigures('SQLite', sqliteDb)

  const postgres = await startPostgres()
  stopCluster = () => postgres.stop()
  let n = 0
  const pgMake = (name: string) => postgresDb(postgres.url, `${name}_${n++}`)
  await listFigures('PostgreSQL', pgMake)
  await panicFigures('PostgreSQL', pgMake)
  await pollFigures('PostgreSQL', pgMake)
} finally {
  stopCluster?.()
  rmSync(work, { recursive: true, force: true })
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const table = [
  '| figure | ours (ms) | baseline | baseline (ms) | ratio | target | met | note |',
  '| --- | ---: | --- | ---: | ---: | --- | --- | --- |',
  ...rows.map((r) => `| ${r.figure} | ${r.ours_ms} | ${r.baseline} | ${r.baseline_ms} | ${r.ratio} | ${r.target} | ${r.met ? 'yes' : '**no**'} | ${r.note ?? ''} |`),
].join('\n')
console.log(`${table}\n\nMachine: ${machine}. Whole run: ${Math.round((performance.now() - started) / 1000)} s.`)
writeFileSync(path.join(ROOT, 'test', 'bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`)
