// Tenant input schemas and the tenant shapes of Scalelite's API.
import { z } from 'zod'
import type { Tenant } from '../db/store.ts'
import { blankToUndefined } from './parse.ts'

export const TENANT_NEEDS = 'Error: both name and secrets are required to create a Tenant'

export const tenantAddSchema = z.object({
  name: z.preprocess(blankToUndefined, z.string({ error: TENANT_NEEDS })),
  secrets: z.preprocess(blankToUndefined, z.string({ error: TENANT_NEEDS })),
})

/** Blank fields are ignored, as in Scalelite's updateTenant. */
export const tenantUpdateSchema = z.object({
  name: z.preprocess(blankToUndefined, z.string().optional()),
  secrets: z.preprocess(blankToUndefined, z.string().optional()),
})

/** getTenants item. */
export const tenantListJson = (t: Tenant) => ({ id: t.id, name: t.name, secrets: t.secrets })

/** getTenantInfo: the model's fields, the lrs_/kc_ fields that are set, id last. */
export const tenantShowJson = (t: Tenant) => ({ new_record: false, destroyed: false, name: t.name, secrets: t.secrets, ...t.extra, id: t.id })

/** addTenant reply body. */
export const tenantAddJson = (t: Tenant) => ({ tenant: { name: t.name, secrets: t.secrets, new_record: false, destroyed: false, id: t.id } })

/** updateTenant reply body. */
export const tenantUpdateJson = (t: Tenant) => ({ tenant: { new_record: false, destroyed: false, name: t.name, secrets: t.secrets, id: t.id } })
