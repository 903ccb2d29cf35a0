import type { Command } from 'commander'
import { UsageError } from '../errors.ts'
import { findTopic, TOPICS } from '../help/topics.ts'
import { action, examples } from './context.ts'

/** The command `names` leads to from `program` (`['servers', 'add']`), or undefined. */
export function findCommand(program: Command, names: string[]): Command | undefined {
  let command: Command | undefined = program
  for (const name of names) command = command?.commands.find((c) => c.name() === name || c.aliases().includes(name))
  return command
}

/**
 * Replaces Commander's own `help` at the top level (the nouns keep theirs): `help servers add` shows
 * that command's help as `servers add --help` does, and `help <topic>` shows a topic.
 */
export function registerHelp(program: Command): void {
  const topics = TOPICS.map((t) => t.name).join(', ')
  program
    .command('help')
    .summary(`show help for a command, or a topic: ${topics}`)
    .description(
      'Show the help of a command, as its --help does, or one of the help topics:\n' +
        TOPICS.map((t) => `  ${t.name.padEnd(12)}${t.summary}`).join('\n'),
    )
    .argument('[topic...]', `a command (e.g. servers add) or a topic (${topics})`)
    .addHelpText('after', examples('scalelite-admin help servers panic', 'scalelite-admin help exit-codes', 'scalelite-admin help environment'))
    .action(
      action(async (ctx, words: string[]) => {
        const topic = words.length === 1 ? findTopic(words[0] as string) : undefined
        if (topic) return ctx.out.line(topic.text().replace(/\n$/, ''))

        const command = findCommand(program, words)
        if (!command || words.some((w) => w.startsWith('_')))
          throw new UsageError(`unknown command or help topic '${words.join(' ')}' (topics: ${topics})`)
        command.outputHelp()
      }),
    )
}
