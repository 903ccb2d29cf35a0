// Tenant input schemas and the tenant shapes of Scalelite's API.
import { z } from 'zod'
import { TENANT_EXTRA_FIELDS, type Tenant, type TenantChanges, type TenantExtraField } from '../db/store.ts'
import { blankToUndefined } from './parse.ts'

export const TENANT_NEEDS = 'Error: both name and secrets are required to create a Tenant'

export const tenantAddSchema = z.object({
  name: z.preprocess(blankToUndefined, z.string({ error: TENANT_NEEDS })),
  secrets: z.preprocess(blankToUndefined, z.string({ error: TENANT_NEEDS })),
})

/** An lrs_/kc_ flag: absent keeps the field, '' (or blanks) unsets it. */
const unsettable = z
  .string()
  .optional()
  .transform((v) => (v === undefined ? undefined : v.trim() === '' ? null : v))

/** Blank name and secrets are ignored, as in Scalelite's updateTenant; a blank lrs_/kc_ field is unset. */
export const tenantUpdateSchema = z
  .object({
    name: z.preprocess(blankToUndefined, z.string().optional()),
    secrets: z.preprocess(blankToUndefined, z.string().optional()),
    lrsEndpoint: unsettable,
    lrsUsername: unsettable,
    lrsPassword: unsettable,
    kcTokenUrl: unsettable,
    kcClientId: unsettable,
    kcClientSecret: unsettable,
    kcUsername: unsettable,
    kcPassword: unsettable,
  })
  .transform(({ name, secrets, ...flags }): TenantChanges => {
    const extra: NonNullable<TenantChanges['extra']> = {}
    for (const field of TENANT_EXTRA_FIELDS) if (flags[EXTRA_OPTIONS[field]] !== undefined) extra[field] = flags[EXTRA_OPTIONS[field]]
    return { name, secrets, extra }
  })

/** The option of each lrs_/kc_ field, as Commander names the flag's value (`--lrs-endpoint`: lrsEndpoint). */
const EXTRA_OPTIONS = {
  lrs_endpoint: 'lrsEndpoint',
  lrs_username: 'lrsUsername',
  lrs_password: 'lrsPassword',
  kc_token_url: 'kcTokenUrl',
  kc_client_id: 'kcClientId',
  kc_client_secret: 'kcClientSecret',
  kc_username: 'kcUsername',
  kc_password: 'kcPassword',
} as const satisfies Record<TenantExtraField, string>

/** getTenants item. */
export const tenantListJson = (t: Tenant) => ({ id: t.id, name: t.name, secrets: t.secrets })

/** getTenantInfo: the model's fields, the lrs_/kc_ fields that are set, id last. */
export const tenantShowJson = (t: Tenant) => ({ new_record: false, destroyed: false, name: t.name, secrets: t.secrets, ...t.extra, id: t.id })

/** addTenant reply body. */
export const tenantAddJson = (t: Tenant) => ({ tenant: { name: t.name, secrets: t.secrets, new_record: false, destroyed: false, id: t.id } })

/** updateTenant reply body; like getTenantInfo, the model carries the lrs_/kc_ fields that are set. */
export const tenantUpdateJson = (t: Tenant) => ({ tenant: { new_record: false, destroyed: false, name: t.name, secrets: t.secrets, ...t.extra, id: t.id } })

/** An empty item in a colon-separated list of secrets (`a::b`, `a:`): anyone can compute checksums with it. */
export const hasEmptySecret = (secrets: string) => secrets.split(':').some((secret) => secret === '')

export const EMPTY_SECRET_WARNING = 'the secrets contain an empty secret: anyone can compute checksums with it'
