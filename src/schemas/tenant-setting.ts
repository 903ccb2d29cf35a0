// Tenant setting input schemas and the JSON shape of a setting (Scalelite's API has none: ours).
import { z } from 'zod'
import type { TenantSetting } from '../db/store.ts'
import { blankToUndefined } from './parse.ts'

export const SETTING_NEEDS = 'TenantSetting needs a tenant, a param and a value'

const required = z.preprocess(blankToUndefined, z.string({ error: SETTING_NEEDS }))

export const tenantSettingAddSchema = z.object({
  tenant: required,
  param: required,
  value: required,
  override: z.boolean(),
})

/** `{"id","tenant_id","param","value","override"}`, override a JSON boolean. */
export const tenantSettingJson = (s: TenantSetting) => ({ id: s.id, tenant_id: s.tenantId, param: s.param, value: s.value, override: s.override })

/** By tenant name, then param, then defaults before overrides (then id, so the order is total). */
export function sortSettings<T extends { setting: TenantSetting; tenantName: string }>(rows: T[]): T[] {
  const key = (r: T) => [r.tenantName, r.setting.param, r.setting.override ? '1' : '0', r.setting.id]
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)]
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as string) < (kb[i] as string) ? -1 : 1
    return 0
  })
}
