// The help topics (`scalelite-admin help <topic>`): texts that belong to no one command. The exit
// codes are the README's table word for word (test/cli/help.test.ts compares them); the variables
// are every one the tool reads (the same test greps src/ for them).

/** The README's "Exit codes" table, row by row. */
export const EXIT_CODES: [code: number, meaning: string][] = [
  [0, 'success, including a no-op'],
  [1, 'unexpected failure (database unreachable, bug); nothing half-written'],
  [2, 'usage or validation error, or confirmation refused; nothing written'],
  [3, 'not found'],
  [4, 'conflict: a duplicate, or a server that still has meetings'],
  [5, 'partial failure: done in the database, but some calls to BBB servers failed (each named on stderr)'],
]

/** The paragraphs under the README's table (there with `code` marks). */
export const EXIT_CODE_NOTES: string[] = [
  'servers sync --dry-run exits 1 when it would change something (its report on stdout), 0 when it would not, and with the codes above on an error.',
  'doctor answers as grep does, and its codes differ from the table above: 0 no problems, 1 problems found (listed on stdout), 2 it could not run (a usage error, the database unreachable, or any unexpected failure; the error line on stderr as usual). It never exits 1 for a failure.',
]

/** Every environment variable the tool reads, with what it does. */
export const ENVIRONMENT: [name: string, meaning: string][] = [
  ['DATABASE_URL', "the database: file:PATH (SQLite), postgresql://… / postgres://…, or a live Scalelite's Redis (redis://…, rediss://…, unix:///path/to/redis.sock). --database-url wins over it; unset or empty: the default SQLite file."],
  ['XDG_DATA_HOME', 'where the default database lives: $XDG_DATA_HOME/scalelite-admin/scalelite.db (an absolute path; else the folder under HOME).'],
  ['HOME', 'the default database without XDG_DATA_HOME: ~/.local/share/scalelite-admin/scalelite.db.'],
  ['REDIS_NAMESPACE', "as in Scalelite: the prefix of every Redis key; 'scalelite' when unset, none when empty."],
  ['SERVER_ID_IS_HOSTNAME', "'true' (any case): a new server's id is its URL's lower-cased host."],
  ['LOADBALANCER_CHECKSUM_ALGORITHM', 'BBB calls use SHA256 when unset, else the strongest listed of SHA512, SHA256, SHA1.'],
  ['CONNECT_TIMEOUT', 'seconds to connect to a BBB server; default 5.'],
  ['RESPONSE_TIMEOUT', 'seconds for a BBB server to answer; default 10.'],
  ['BBB_CONCURRENCY', 'how many BBB calls run at once (servers poll: servers at once); default 25, 1 to 1000.'],
  ['LOAD_MIN_USER_COUNT', 'servers poll: what a meeting younger than LOAD_JOIN_BUFFER_TIME counts for at least; default 15.'],
  ['LOAD_JOIN_BUFFER_TIME', 'servers poll: minutes a new meeting counts for at least LOAD_MIN_USER_COUNT users; default 15.'],
  ['SERVER_HEALTHY_THRESHOLD', 'servers poll: answers in a row that bring an offline server online; default 1.'],
  ['SERVER_UNHEALTHY_THRESHOLD', 'servers poll: failures in a row that take an online server offline; default 2.'],
  ['PGPASSWORD', 'the PostgreSQL password when the URL has none.'],
  ['PGCONNECT_TIMEOUT', "seconds to wait for PostgreSQL when the URL has no connect_timeout; default 10."],
  ['NODE_EXTRA_CA_CERTS', 'a PEM file of extra CAs trusted for rediss:// (or use --redis-ca).'],
  ['NO_COLOR', 'set and not empty: no colour (as --no-color).'],
  ['TERM', "'dumb': no progress line on stderr (it is drawn only when stderr is a terminal)."],
  ['USER', "the operating-system user an audit row names, when the system has no account name for this process's uid (else LOGNAME)."],
  ['LOGNAME', 'as USER, when USER is not set.'],
  ['SCALELITE_ADMIN_DEBUG', 'set: print the stack trace of an unexpected failure (exit 1).'],
]

/** Breaks `text` into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

/** Two columns: the name, then its text wrapped and indented under itself. */
function columns(rows: [string, string][]): string {
  const nameWidth = Math.max(...rows.map(([name]) => name.length))
  const indent = ' '.repeat(2 + nameWidth + 2)
  return rows
    .map(([name, text]) =>
      wrap(text, 100 - indent.length)
        .map((line, i) => (i === 0 ? `  ${name.padEnd(nameWidth)}  ${line}` : `${indent}${line}`))
        .join('\n'),
    )
    .join('\n')
}

const paragraph = (text: string) => wrap(text, 100).join('\n')

export interface HelpTopic {
  name: string
  /** One line for the list of topics. */
  summary: string
  text: () => string
}

export const TOPICS: HelpTopic[] = [
  {
    name: 'exit-codes',
    summary: 'what each exit code means',
    text: () =>
      [
        'Exit codes of scalelite-admin:',
        '',
        EXIT_CODES.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n'),
        '',
        ...EXIT_CODE_NOTES.map(paragraph).join('\n\n').split('\n'),
        '',
      ].join('\n'),
  },
  {
    name: 'environment',
    summary: 'the environment variables it reads',
    text: () =>
      [
        'Environment variables read by scalelite-admin (a global option, where there is one, wins):',
        '',
        columns(ENVIRONMENT),
        '',
      ].join('\n'),
  },
]

export const findTopic = (name: string) => TOPICS.find((t) => t.name === name)
