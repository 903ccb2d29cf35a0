// The baseline of `servers list --json`: a bare Node script that opens the same database with its
// driver alone and prints the same rows as the same JSON, sorted by hostname. No Prisma, no Zod, no CLI.
//   node baseline-list.js file:/path/to.db | postgresql://…
const url = process.argv[2] as string

interface Row {
  id: string
  url: string
  secret: string
  tag: string | null
  bbb_version: string | null
  state: string
  load: number | null
  load_multiplier: number | null
  online: boolean | number
}

const SELECT = 'SELECT id, url, secret, tag, bbb_version, state, load, load_multiplier, online FROM servers'

async function rows(): Promise<Row[]> {
  if (url.startsWith('file:')) {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(url.slice('file:'.length), { readonly: true })
    try {
      return db.prepare(SELECT).all() as Row[]
    } finally {
      db.close()
    }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<Row>(SELECT)).rows
  } finally {
    await client.end()
  }
}

const host = (u: string) => {
  try {
    return new URL(u).hostname
  } catch {
    return u
  }
}

const decimal = (n: number) => {
  const text = String(n)
  return text.includes('.') ? text : `${text}.0`
}

const list = (await rows())
  .map((r) => {
    const state = r.state === 'enabled' || r.state === 'cordoned' ? r.state : 'disabled'
    return {
      id: r.id,
      url: r.url,
      secret: r.secret,
      tag: r.tag ?? '',
      bbb_version: r.bbb_version ?? '',
      state,
      load: state === 'disabled' || r.load === null ? 'unavailable' : r.load,
      load_multiplier: r.load_multiplier === null ? 1 : decimal(r.load_multiplier),
      online: r.online === true || r.online === 1 ? 'online' : 'offline',
    }
  })
  .sort((a, b) => {
    const [ha, hb] = [host(a.url), host(b.url)]
    return ha < hb ? -1 : ha > hb ? 1 : a.url < b.url ? -1 : a.url > b.url ? 1 : a.id < b.id ? -1 : 1
  })
process.stdout.write(`${JSON.stringify(list)}\n`)
