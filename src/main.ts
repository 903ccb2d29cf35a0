// Builds the command tree and is the one place that turns an error into a message and an exit code.
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { registerCompletion } from './commands/completion.ts'
import { closeContext, examples } from './commands/context.ts'
import { registerAudit } from './commands/audit.ts'
import { registerDoctor } from './commands/doctor.ts'
import { registerHelp } from './commands/help.ts'
import { registerImport } from './commands/import.ts'
import { registerServers } from './commands/servers/index.ts'
import { registerTenants } from './commands/tenants/index.ts'
import { ChangesPending, CliError, EXIT, type ExitCode, ProblemsFound } from './errors.ts'
import { Output } from './io/output.ts'
import { processTerminal } from './io/terminal.ts'
import { redact } from './redact.ts'

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export function buildProgram(): Command {
  const program = new Command('scalelite-admin')
    .description('Administer a Scalelite-style BigBlueButton fleet: servers, tenants and panic, straight on the balancer database.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('--database-url <url>', "file:PATH (SQLite), postgresql://…, or redis://… / rediss://… (a live Scalelite's Redis); wins over DATABASE_URL")
    .option('--redis-ca <file>', 'PEM file of the CA that signed the Redis server certificate (rediss://)')
    .option('--json', 'print exactly one JSON document on stdout (the Scalelite API shapes)')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('--show-secrets', 'show secrets in human output instead of masking them')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      examples(
        'scalelite-admin servers list',
        'scalelite-admin servers add https://bbb1.example.com/bigbluebutton/api s3cr3t --enable',
        'scalelite-admin --json tenants list',
        'DATABASE_URL=postgresql://scalelite@db/scalelite scalelite-admin servers panic bbb1.example.com --yes',
      ) +
        '\nThe database defaults to an SQLite file at $XDG_DATA_HOME/scalelite-admin/scalelite.db.\n' +
        'doctor answers as grep does: 0 no problems, 1 problems found, 2 could not run.\n' +
        'More: scalelite-admin help exit-codes, scalelite-admin help environment; completion: scalelite-admin completion bash|zsh.\n',
    )
  registerServers(program)
  registerTenants(program)
  registerImport(program)
  registerAudit(program)
  registerDoctor(program)
  registerCompletion(program)
  registerHelp(program)

  // Commander reports through exceptions, printed by main() like every other error.
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ outputError: () => {} })
    command.commands.forEach(quiet)
  }
  quiet(program)
  return program
}

/** Commands whose exit code is an answer, as grep's: 0 no problems, 1 problems found, 2 for every failure. */
const ANSWERING = new Set(['doctor'])

/** Runs one command line; resolves to the exit code. Never throws, never calls process.exit. */
export async function main(argv: string[], env = process.env): Promise<ExitCode> {
  const json = argv.includes('--json')
  const out = () => new Output(processTerminal(env, !argv.includes('--no-color')), json, false)
  let answering = false
  try {
    const program = buildProgram().hook('preAction', (root, command) => {
      answering = command.parent === root && ANSWERING.has(command.name())
    })
    await program.parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (e) {
    const code = report(e, out(), env)
    return answering && !(e instanceof ProblemsFound) ? EXIT.noAnswer : code
  } finally {
    await closeContext().catch(() => {})
  }
}

function report(e: unknown, out: Output, env: NodeJS.ProcessEnv): ExitCode {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return EXIT.ok // --help, --version
    // Commander already printed the help for a bare noun; with --json the error body still ends stderr.
    if (e.code === 'commander.help') {
      if (out.json) out.error('missing command')
    } else out.error(e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '))
    return EXIT.usage
  }
  if (e instanceof CliError) {
    if (e instanceof ChangesPending || e instanceof ProblemsFound) return e.exitCode
    out.error(redact(e.message), e.key)
    return e.exitCode
  }
  const message = e instanceof Error ? e.message : String(e)
  out.error(`unexpected failure: ${redact(message.replace(/\s+/g, ' ').trim())}`)
  if (env.SCALELITE_ADMIN_DEBUG && e instanceof Error) process.stderr.write(`${redact(e.stack ?? '')}\n`)
  return EXIT.unexpected
}
