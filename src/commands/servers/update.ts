import type { Command } from 'commander'
import { optionFromStdin, secretsFromStdin } from '../../io/input.ts'
import { showServer } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { serverUpdateSchema, tagNeverMatches, unmatchableTagWarning } from '../../schemas/server.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

interface Options {
  secret?: string
  loadMultiplier?: string
  tag?: string
  state?: string
}

export function register(servers: Command): void {
  servers
    .command('update')
    .summary('change a server secret, load multiplier, tag or state')
    .description(
      "Change what is given and nothing else, in one transaction. --tag '' removes the tag; the URL cannot change. " +
        "--secret - reads the secret from stdin (asked for without echo on a terminal).",
    )
    .argument('<server>', 'id, hostname or unique id prefix')
    .option('--secret <secret>', "new shared secret ('-': from stdin)")
    .option('--load-multiplier <n>', 'new load multiplier, a number above 0')
    .option('--tag <tag>', "new tag ('' removes it)")
    .option('--state <verb>', 'enable, cordon or disable')
    .option(...REASON)
    .addHelpText(
      'after',
      examples('scalelite-admin servers update bbb1.example.com --load-multiplier 2.5', "scalelite-admin servers update 6f1c --tag '' --state cordon"),
    )
    .action(
      action(async (ctx, ref: string, options: Options) => {
        const raw = await secretsFromStdin(ctx.term, options, { secret: optionFromStdin('--secret', 'Secret') })
        const changes = parseInput(serverUpdateSchema, raw)

        const store = await ctx.store()
        const server = await resolveServer(store, ref)
        const updated = await store.updateServer(server.id, changes)

        if (tagNeverMatches(changes.tag)) ctx.out.warn(unmatchableTagWarning(changes.tag))
        showServer(ctx.out, updated)
      }),
    )
}
