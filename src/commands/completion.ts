import type { Command } from 'commander'
import { complete, SHELLS } from '../completion/complete.ts'
import { COMPLETION_SCRIPTS } from '../completion/scripts.ts'
import { UsageError } from '../errors.ts'
import { action, examples } from './context.ts'

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .summary('print the shell completion script for bash or zsh')
    .description(
      'Print a script that makes the shell complete nouns, verbs and flags, and server ids, hostnames and tenant names ' +
        'from the database (the one --database-url on the line, or DATABASE_URL, names). Load it from the shell\'s start-up file.',
    )
    .argument('<shell>', `the shell: ${SHELLS.join(' or ')}`)
    .addHelpText(
      'after',
      examples(
        'source <(scalelite-admin completion bash)',
        "echo 'source <(scalelite-admin completion zsh)' >> ~/.zshrc",
      ),
    )
    .action(
      action(async (ctx, shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell '${shell}' (choose: ${SHELLS.join(' ')})`)
        ctx.out.line(COMPLETION_SCRIPTS[shell as (typeof SHELLS)[number]].replace(/\n$/, ''))
      }),
    )

  // What the scripts call: the words of the line after the program name, the last being completed.
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .helpOption(false)
    .action(
      action(async (ctx, words: string[]) => {
        const wanted = complete(program, words)
        let candidates = wanted.kind === 'words' ? wanted.words : []
        if (wanted.kind !== 'words') {
          const { storedNames } = await import('../completion/stored.ts')
          candidates = await storedNames(wanted.kind, wanted.prefix, wanted, ctx.env)
        }
        for (const candidate of candidates) ctx.out.line(candidate)
      }),
    )
}
