import type { Command } from 'commander'
import { diagnose } from '../doctor/checks.ts'
import { ProblemsFound } from '../errors.ts'
import { showDiagnosis } from '../io/views.ts'
import { action, examples } from './context.ts'

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .summary('find what breaks a Scalelite fleet in the database, and say how to fix each problem')
    .description(
      'Reads the database (no BBB server is called, nothing is changed) and reports meetings that point at a missing server, ' +
        'server URLs that are not http(s) with a host or whose path does not end in /api, servers with the same URL, ' +
        'no enabled untagged server while enabled ones are tagged, server tags no request can match, tenants with an empty secret, ' +
        'tenant names equal ignoring case, and tenant settings whose tenant is gone. ' +
        'Exit 0: no problems; 1: problems found (listed, with --json too); 2: could not run.',
    )
    .addHelpText('after', examples('scalelite-admin doctor', 'scalelite-admin doctor --json | jq -r \'.problems[].fix\''))
    .action(
      action(async (ctx) => {
        const store = await ctx.store()
        const diagnosis = diagnose(await store.doctorFacts())

        showDiagnosis(ctx.out, diagnosis)
        if (!diagnosis.healthy) throw new ProblemsFound()
      }),
    )
}
