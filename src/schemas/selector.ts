// Which servers a bulk state change acts on: one `<server>`, or exactly one of --tag, --state, --all.
import { z } from 'zod'
import { stateWord } from './server.ts'

export type ServerSelector =
  | { kind: 'one'; ref: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'state'; state: 'enabled' | 'cordoned' | 'disabled' }
  | { kind: 'all' }

const ONE_SELECTOR = 'Give a server, or one of --tag, --state or --all'

export const selectorSchema = z
  .object({
    ref: z.string().optional(),
    tag: z.string().optional(),
    state: stateWord.optional(),
    all: z.boolean().optional(),
  })
  .transform((input, ctx): ServerSelector => {
    const given = [input.ref !== undefined, input.tag !== undefined, input.state !== undefined, input.all === true].filter(Boolean).length
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', message: given === 0 ? ONE_SELECTOR : `${ONE_SELECTOR}, not several` })
      return z.NEVER
    }
    if (input.ref !== undefined) return { kind: 'one', ref: input.ref }
    if (input.tag !== undefined) return { kind: 'tag', tag: input.tag }
    if (input.state !== undefined) return { kind: 'state', state: input.state }
    return { kind: 'all' }
  })

/** How a selector reads in a message: `--tag big`, `--state cordoned`, `--all`. */
export function describeSelector(selector: Exclude<ServerSelector, { kind: 'one' }>): string {
  if (selector.kind === 'tag') return `--tag ${selector.tag === '' ? "''" : selector.tag}`
  if (selector.kind === 'state') return `--state ${selector.state}`
  return '--all'
}
