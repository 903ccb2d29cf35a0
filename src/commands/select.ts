// The servers a bulk state change (--tag, --state, --all) acts on.
import type { Server } from '../db/store.ts'
import type { ServerSelector } from '../schemas/selector.ts'
import { sortByHostname } from '../schemas/server.ts'

/** The servers a --tag, --state or --all selector matches, sorted by hostname. `--tag ''` matches untagged servers. */
export function selectServers<S extends Server>(servers: S[], selector: Exclude<ServerSelector, { kind: 'one' }>): S[] {
  const matches = (s: Server) =>
    selector.kind === 'all' || (selector.kind === 'tag' ? (s.tag ?? '') === selector.tag : s.state === selector.state)
  return sortByHostname(servers.filter(matches))
}
