// A throwaway PostgreSQL cluster: initdb in a temporary folder, listening on 127.0.0.1 (a free port) and
// a unix socket there, stopped (and its folder removed) by stop(). Running as root, it runs as the
// unprivileged `postgres` user. Used by the tests' globalSetup and by the benchmark.
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freePort } from './ports.ts'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'

/** The password of the password-protected test role: it must never appear in the CLI's output. */
export const PG_TEST_PASSWORD = 'Hunter2-Pg-Secret'

export interface PostgresServer {
  /** Superuser, no password. */
  url: string
  /** Role sa_password, which must give its password over TCP. */
  passwordUrl: string
  stop(): void
}

function pgBin(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin')
  throw new Error('PostgreSQL is not installed: apt-get install postgresql (or set TEST_PG_URL to a server of your own)')
}

/** A free port on 127.0.0.1 (bound, then closed). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = pgBin()
  const dir = mkdtempSync(path.join(tmpdir(), 'sa-pg-'))
  const data = path.join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(dir, uid, gid)
  }
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(bin, tool), args, { stdio: 'pipe' })

  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  // The role sa_password must give its password over TCP (the first matching line wins).
  const hba = path.join(data, 'pg_hba.conf')
  writeFileSync(hba, `host all sa_password 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`)
  run('pg_ctl', [
    '-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '30', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
    'start',
  ])

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`CREATE ROLE sa_password LOGIN PASSWORD '${PG_TEST_PASSWORD}'`)
  await client.end()

  return {
    url,
    passwordUrl: `postgresql://sa_password:${PG_TEST_PASSWORD}@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
