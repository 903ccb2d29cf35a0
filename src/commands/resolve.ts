// `<server>` is an id, a URL's hostname, or a unique id prefix of at least 4 characters;
// `<tenant>` is an id or a name.
import type { Server, Store, Tenant } from '../db/store.ts'
import { serverNotFound, tenantNotFound, UsageError } from '../errors.ts'
import { serverHostname } from '../schemas/server.ts'

export const MIN_PREFIX = 4

export async function resolveServer(store: Store, ref: string): Promise<Server> {
  const exact = await store.findServer(ref)
  if (exact) return exact

  const refs = await store.serverRefs()
  const wanted = ref.toLowerCase()
  let matches = refs.filter((r) => serverHostname(r.url).toLowerCase() === wanted)
  if (matches.length === 0 && ref.length >= MIN_PREFIX) matches = refs.filter((r) => r.id.toLowerCase().startsWith(wanted))

  if (matches.length > 1) {
    const candidates = matches
      .map((r) => `${r.id} (${serverHostname(r.url)})`)
      .sort()
      .join(', ')
    throw new UsageError(`Server '${ref}' is ambiguous; it matches ${candidates}`)
  }
  const found = matches[0] && (await store.findServer(matches[0].id))
  if (!found) throw serverNotFound(ref)
  return found
}

export async function resolveTenant(store: Store, ref: string): Promise<Tenant> {
  const tenant = await store.findTenant(ref)
  if (!tenant) throw tenantNotFound(ref)
  return tenant
}
