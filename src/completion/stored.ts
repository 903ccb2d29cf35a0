// The servers and tenants offered for a `<server>` or `<tenant>` argument, read from the database the
// line being completed names (--database-url, else DATABASE_URL, else the default file). Completion
// must never disturb the shell: any failure means no candidates, and nothing is printed.
import { existsSync } from 'node:fs'
import { databaseUrl, type Env } from '../config.ts'
import { serverHostname } from '../schemas/server.ts'

/** A database that does not answer at once is not worth waiting for at a prompt. */
const CONNECT_TIMEOUT_SECONDS = 2

/** Bounds the connect of PostgreSQL and Redis, unless the URL already says how long. */
function quickConnect(url: string): string {
  if (url.startsWith('file:') || /[?&]connect_timeout=/.test(url)) return url
  const hash = url.indexOf('#')
  const [head, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)]
  return `${head}${head.includes('?') ? '&' : '?'}connect_timeout=${CONNECT_TIMEOUT_SECONDS}${fragment}`
}

export async function storedNames(
  kind: 'servers' | 'tenants',
  prefix: string,
  given: { databaseUrl?: string; redisCa?: string },
  env: Env,
): Promise<string[]> {
  try {
    const { url } = databaseUrl(given.databaseUrl, env)
    const { openStore, providerOf, sqlitePath } = await import('../db/index.ts')
    // Completing must not create a database file.
    if (providerOf(url) === 'sqlite' && !existsSync(sqlitePath(url))) return []
    const store = await openStore(quickConnect(url), env, { redisCa: given.redisCa, warn: () => {} })
    let names: string[]
    try {
      names =
        kind === 'servers'
          ? (await store.listServers()).flatMap((s) => [s.id, serverHostname(s.url)])
          : (await store.listTenants()).flatMap((t) => [t.name, t.id])
    } finally {
      await store.close()
    }
    return [...new Set(names.filter((n) => n.startsWith(prefix)))].sort()
  } catch {
    return []
  }
}
