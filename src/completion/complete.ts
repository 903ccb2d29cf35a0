// What to offer for the word being completed, worked out from the Commander tree itself (so nouns,
// verbs and flags never drift from the commands), from the words typed before it. Opens nothing:
// when a server or tenant is wanted it says so, and the caller looks them up.
import { Help, type Command, type Option } from 'commander'
import { TOPICS } from '../help/topics.ts'

export type Wanted =
  /** These words (already filtered by what was typed). */
  | { kind: 'words'; words: string[] }
  /** Stored servers (ids and hostnames) or tenants (names and ids) starting with `prefix`. */
  | { kind: 'servers' | 'tenants'; prefix: string; databaseUrl?: string; redisCa?: string }

/** Values offered after an option, by command path and flag; the help test checks each still exists. */
export const OPTION_VALUES: Record<string, string[]> = {
  'servers list --state': ['enabled', 'cordoned', 'disabled'],
  'servers enable --state': ['enabled', 'cordoned', 'disabled'],
  'servers cordon --state': ['enabled', 'cordoned', 'disabled'],
  'servers disable --state': ['enabled', 'cordoned', 'disabled'],
  'servers update --state': ['enable', 'cordon', 'disable'],
  'servers sync --mode': ['keep', 'cordon', 'force'],
  'servers export --format': ['yaml', 'json'],
}

/** Arguments whose values come from the database, by argument name. */
const STORED: Record<string, 'servers' | 'tenants'> = { server: 'servers', servers: 'servers', tenant: 'tenants' }

export const SHELLS = ['bash', 'zsh'] as const

const help = Object.assign(new Help(), { showGlobalOptions: true })

/** The options a command accepts: its own, --help, and those of the commands above it. */
const optionsOf = (command: Command): Option[] => [...help.visibleOptions(command), ...help.visibleGlobalOptions(command)]

const takesValue = (option: Option) => option.required || option.optional

const pathOf = (command: Command): string => {
  const names: string[] = []
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/**
 * Bash splits `--state=en` and `file:/x` at `=` and `:` (COMP_WORDBREAKS); glue such pieces back. The
 * word bash will replace is the last piece, which is what `tail` is.
 */
function rejoin(raw: string[]): { words: string[]; tail: string } {
  const words: string[] = []
  let glue = false
  for (const piece of raw) {
    if (/^[=:]+$/.test(piece) && words.length > 0) {
      words[words.length - 1] += piece
      glue = true
    } else if (glue) {
      words[words.length - 1] += piece
      glue = false
    } else words.push(piece)
  }
  return { words, tail: raw[raw.length - 1] ?? '' }
}

const startingWith = (prefix: string, words: string[]) => [...new Set(words.filter((w) => w.startsWith(prefix)))]

/**
 * `raw`: the words after the program name up to the one being completed, which is last (empty when
 * the cursor follows a space).
 */
export function complete(program: Command, raw: string[]): Wanted {
  const { words, tail } = rejoin(raw.length > 0 ? raw : [''])
  const current = words.pop() ?? ''
  let command = program
  const operands: string[] = []
  const globals: { databaseUrl?: string; redisCa?: string } = {}
  let pending: Option | undefined
  let onlyOperands = false

  const remember = (option: Option, value: string) => {
    if (option.long === '--database-url') globals.databaseUrl = value
    if (option.long === '--redis-ca') globals.redisCa = value
  }
  const findOption = (flag: string) => optionsOf(command).find((o) => o.long === flag || o.short === flag)

  for (const word of words) {
    if (pending) {
      remember(pending, word)
      pending = undefined
    } else if (!onlyOperands && word === '--') onlyOperands = true
    else if (!onlyOperands && word.startsWith('-') && word !== '-') {
      const eq = word.startsWith('--') ? word.indexOf('=') : -1
      const option = findOption(eq < 0 ? word : word.slice(0, eq))
      if (option && eq >= 0) remember(option, word.slice(eq + 1))
      else if (option && takesValue(option)) pending = option
    } else {
      const sub = operands.length === 0 ? command.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined
      if (sub) command = sub
      else operands.push(word)
    }
  }

  // A value for an option: `--state en` or `--state=en` (bash then replaces only `en`).
  let valueOf = pending
  let typed = current
  if (!valueOf && !onlyOperands && current.startsWith('--') && current.includes('=')) {
    valueOf = findOption(current.slice(0, current.indexOf('=')))
    typed = current.slice(current.indexOf('=') + 1)
    if (!valueOf) return { kind: 'words', words: [] }
  }
  if (valueOf) {
    const values = startingWith(typed, OPTION_VALUES[`${pathOf(command)} ${valueOf.long}`] ?? [])
    // The cursor right after `=`: bash replaces the `=` itself, so it goes back in front.
    const lead = /^[=:]+$/.test(tail) ? tail : ''
    return { kind: 'words', words: values.map((v) => lead + v) }
  }

  if (!onlyOperands && current.startsWith('-')) {
    const flags = optionsOf(command).flatMap((o) => (o.long ? [o.long] : o.short ? [o.short] : []))
    return { kind: 'words', words: startingWith(current, flags) }
  }

  // The top-level help: the path of a command, or a topic.
  if (command.name() === 'help' && command.parent === program) {
    const target = operands.reduce<Command | undefined>((c, name) => c?.commands.find((s) => s.name() === name), program)
    if (!target) return { kind: 'words', words: [] }
    const names = help.visibleCommands(target).map((c) => c.name())
    return { kind: 'words', words: startingWith(current, [...names, ...(target === program ? TOPICS.map((t) => t.name) : [])]) }
  }

  // A noun: its verbs, also after Commander's own `help` (`servers help add`).
  if (command.commands.length > 0 && (operands.length === 0 || (operands.length === 1 && operands[0] === 'help')))
    return { kind: 'words', words: startingWith(current, help.visibleCommands(command).map((c) => c.name())) }

  const args = command.registeredArguments
  const last = args[args.length - 1]
  const arg = operands.length < args.length ? args[operands.length] : last?.variadic ? last : undefined
  if (!arg) return { kind: 'words', words: [] }
  if (arg.name() === 'shell') return { kind: 'words', words: startingWith(current, [...SHELLS]) }
  const stored = STORED[arg.name()]
  if (stored) return { kind: stored, prefix: current, ...globals }
  return { kind: 'words', words: [] }
}
