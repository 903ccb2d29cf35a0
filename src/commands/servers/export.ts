import type { Command } from 'commander'
import { z } from 'zod'
import { showExport } from '../../io/views.ts'
import { exportDocument } from '../../schemas/fleet-file.ts'
import { parseInput } from '../../schemas/parse.ts'
import { sortByHostname } from '../../schemas/server.ts'
import { action, examples } from '../context.ts'

interface Options {
  format?: string
  verbose?: boolean
}

const exportSchema = z
  .object({ format: z.string().optional(), json: z.boolean(), verbose: z.boolean().optional() })
  .transform((input, ctx) => {
    const format = input.format ?? (input.json ? 'json' : 'yaml')
    if (format !== 'yaml' && format !== 'json') ctx.addIssue({ code: 'custom', message: `Unknown format '${format}' (choose: yaml json)` })
    else if (input.json && format !== 'json') ctx.addIssue({ code: 'custom', message: '--json prints JSON; leave out --format yaml' })
    else return { format: format as 'yaml' | 'json', verbose: input.verbose === true }
    return z.NEVER
  })

export function register(servers: Command): void {
  servers
    .command('export')
    .summary("the fleet as Scalelite's servers:yaml document, for servers sync")
    .description(
      "Print every server as Scalelite's `rake servers:yaml` does: `servers:` → id → url, secret, load_multiplier, tag, " +
        'enabled (true only for enabled servers), sorted by hostname. `servers sync` of the same document changes ' +
        'nothing. --verbose adds state, load, bbb_version and online, which sync ignores. Secrets are included.',
    )
    .option('--format <format>', 'yaml (default) or json; --json means json')
    .option('--verbose', 'also state, load (-1.0 when unknown), bbb_version and online')
    .addHelpText('after', examples('scalelite-admin servers export > fleet.yml', 'scalelite-admin servers export --format json --verbose'))
    .action(
      action(async (ctx, options: Options) => {
        const { format, verbose } = parseInput(exportSchema, { ...options, json: ctx.json })

        const store = await ctx.store()
        const servers = sortByHostname(await store.listServers())

        showExport(ctx.out, exportDocument(servers, verbose), format)
      }),
    )
}
