import type { Command } from 'commander'
import { showServer } from '../../io/views.ts'
import { action, examples } from '../context.ts'
import { resolveServer } from '../resolve.ts'

export function register(servers: Command): void {
  servers
    .command('show')
    .summary('show one server')
    .description('Show one server. <server> is its id, its URL hostname, or a unique id prefix (4 characters or more).')
    .argument('<server>', 'id, hostname or unique id prefix')
    .addHelpText('after', examples('scalelite-admin servers show bbb1.example.com', 'scalelite-admin servers show 6f1c --json'))
    .action(
      action(async (ctx, ref: string) => {
        const server = await resolveServer(await ctx.store(), ref)
        showServer(ctx.out, server)
      }),
    )
}
