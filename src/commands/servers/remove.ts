import type { Command } from 'commander'
import { showSuccess } from '../../io/views.ts'
import { REASON, action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

interface Options {
  force?: boolean
  yes?: boolean
}

export function register(servers: Command): void {
  servers
    .command('remove')
    .summary('delete a server (refused while meetings point at it, unless --force)')
    .description(
      'Delete a server. While meetings still point at it this is refused (exit 4): end them first with ' +
        '`servers panic`, or pass --force to delete those meeting rows in the same transaction.',
    )
    .argument('<server>', 'id, hostname or unique id prefix')
    .option('--force', 'also delete the meeting rows that point at the server')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(...REASON)
    .addHelpText('after', examples('scalelite-admin servers remove bbb1.example.com', 'scalelite-admin servers remove 6f1c --force --yes'))
    .action(
      action(async (ctx, ref: string, options: Options) => {
        const store = await ctx.store()
        const server = await resolveServer(store, ref)
        await ctx.confirm(`Remove server ${server.id} (${server.url})?`, options.yes)

        await store.removeServer(server.id, options.force === true)

        showSuccess(ctx.out, `Server id=${server.id} was destroyed`)
      }),
    )
}
