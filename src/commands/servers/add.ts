import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import { serverIdIsHostname } from '../../config.ts'
import { secretsFromStdin } from '../../io/input.ts'
import { showServer } from '../../io/views.ts'
import { parseInput } from '../../schemas/parse.ts'
import { serverAddSchema, serverUrlKey, tagNeverMatches, unmatchableTagWarning, urlLacksApiPath } from '../../schemas/server.ts'
import { REASON, action, examples } from '../context.ts'

interface Options {
  loadMultiplier?: string
  tag?: string
  enable?: boolean
}

export function register(servers: Command): void {
  servers
    .command('add')
    .summary('add a BBB server (disabled unless --enable)')
    .description(
      'Add a BigBlueButton server. Like Scalelite, it starts disabled unless --enable is given. ' +
        "The URL is the API endpoint, e.g. https://bbb1.example.com/bigbluebutton/api. A secret given as '-' is read from " +
        'stdin (asked for without echo on a terminal).',
    )
    .argument('[url]', 'the server API URL (http:// or https://)')
    .argument('[secret]', "the server shared secret (bbb-conf --secret; '-': from stdin)")
    .option('--load-multiplier <n>', 'weight of this server load, a number above 0 (default 1.0)')
    .option('--tag <tag>', 'tag for meta_server-tag routing')
    .option('--enable', 'enable the server at once')
    .option(...REASON)
    .addHelpText(
      'after',
      examples(
        'scalelite-admin servers add https://bbb1.example.com/bigbluebutton/api s3cr3t --enable',
        'scalelite-admin servers add https://bbb2.example.com/bigbluebutton/api s3cr3t --load-multiplier 2.5 --tag big',
        "ssh bbb3.example.com 'bbb-conf --secret' | awk '/Secret:/ {print $2}' | scalelite-admin servers add https://bbb3.example.com/bigbluebutton/api -",
      ),
    )
    .action(
      action(async (ctx, url: string | undefined, secret: string | undefined, options: Options) => {
        const raw = await secretsFromStdin(ctx.term, { url, secret }, { secret: { flag: '<secret>', prompt: 'Secret' } })
        const input = parseInput(serverAddSchema, { ...raw, ...options, enable: options.enable === true })
        const id = serverIdIsHostname(ctx.env) ? new URL(input.url).hostname.toLowerCase() : randomUUID()

        const store = await ctx.store()
        const server = await store.addServer({
          id,
          url: input.url,
          urlKey: serverUrlKey(input.url),
          secret: input.secret,
          tag: input.tag,
          loadMultiplier: input.loadMultiplier,
          state: input.enable ? 'enabled' : 'disabled',
        })

        if (urlLacksApiPath(server.url)) ctx.out.warn(`the URL does not end in /api; BBB calls will go to ${server.url.replace(/\/?$/, '/')}<call>`)
        if (tagNeverMatches(server.tag)) ctx.out.warn(unmatchableTagWarning(server.tag))
        showServer(ctx.out, server)
      }),
    )
}
