// Every write of the Redis store is one of these Lua scripts: atomic, and bound to no connection state
// (WATCH is per connection and silently lost when two flows share one). Each writes exactly what
// Scalelite's models write for the same change, plus our guards. Keys named per id are built inside
// the script from the namespace prefix (ARGV), which is fine on the standalone Redis Scalelite needs.
//
// Replies: a table whose first element says what happened ('OK', 'NOTFOUND', 'EXISTS', 'RETRY',
// 'CONFLICT', 'MEETINGS'), then the data.
//
// Every script starts with AUDIT, which takes the first two ARGV (the audit list's key and the actor as
// JSON) off the front, so the ARGV positions below are those after it.
import { SECRET_FIELDS, REDACTED } from './store.ts'
import { SERVER_AUDIT_FIELDS, SETTING_AUDIT_FIELDS, TENANT_AUDIT_FIELDS } from './audit.ts'

const lua = (names: readonly string[]) => `{ ${names.map((n) => `'${n}'`).join(', ')} }`

/**
 * The audit row of a change, appended to the list at ARGV[1] in the change's script, as the SQL store
 * does in its transaction (audit.ts): the changed audited fields before and after, secrets redacted.
 * ARGV[2]: {os_user, host, action, command, reason, at (ms), note_before, note_after}.
 */
const AUDIT = `
local AUDIT_KEY = table.remove(ARGV, 1)
local ACTOR = cjson.decode(table.remove(ARGV, 1))
-- A script is not rolled back when a command in it fails: refuse before the first write, not at the RPUSH.
local auditType = redis.call('TYPE', AUDIT_KEY).ok
if auditType ~= 'none' and auditType ~= 'list' then
  return redis.error_reply('AUDITKEY ' .. AUDIT_KEY .. ' holds a ' .. auditType .. ', not the audit list; nothing was changed')
end
local SERVER_FIELDS = ${lua(SERVER_AUDIT_FIELDS)}
local TENANT_FIELDS = ${lua(TENANT_AUDIT_FIELDS)}
local SETTING_FIELDS = ${lua(SETTING_AUDIT_FIELDS)}
local SECRET = {}
for _, f in ipairs(${lua(SECRET_FIELDS)}) do SECRET[f] = true end
-- The audited fields of a hash (JSON null for a missing one), or false when the hash does not exist.
local function auditFields(hashKey, names)
  if redis.call('EXISTS', hashKey) == 0 then return false end
  local values = redis.call('HMGET', hashKey, unpack(names))
  local out = {}
  for i, name in ipairs(names) do out[name] = values[i] or cjson.null end
  -- A password inside a server URL is a secret too (as redactUrl does).
  if type(out.url) == 'string' then out.url = string.gsub(out.url, '^([%a][%w+.-]*://[^:/?#@]*:)[^@/?#]*@', '%1****@') end
  return out
end
-- A tenant setting's audited fields, its override as the boolean the SQL column holds.
local function settingFields(hashKey)
  local fields = auditFields(hashKey, SETTING_FIELDS)
  if fields then fields.override = fields.override == 'true' end
  return fields
end
local function redacted(t)
  local r = {}
  for k, v in pairs(t) do if SECRET[k] and v ~= cjson.null then r[k] = '${REDACTED}' else r[k] = v end end
  return r
end
local function merged(t, extra)
  if type(extra) == 'table' then for k, v in pairs(extra) do t[k] = v end end
  return t
end
-- The changed fields before and after (nil when nothing changed); false stands for no object.
local function auditDiff(before, after, noteBefore, noteAfter)
  if before and after then
    local b, a = merged({}, noteBefore), merged({}, noteAfter)
    for k, v in pairs(after) do if before[k] ~= v then b[k] = before[k]; a[k] = v end end
    local any = false
    for k, v in pairs(a) do if b[k] == v then b[k] = nil; a[k] = nil else any = true end end
    if not any then return nil end
    return redacted(b), redacted(a)
  end
  if not before and not after then return nil end
  -- A create or a delete records the fields that are set.
  local function set(t)
    local r = {}
    for k, v in pairs(t) do if v ~= cjson.null then r[k] = v end end
    return r
  end
  local b, a = cjson.null, cjson.null
  if before then b = redacted(set(merged(before, noteBefore))) end
  if after then a = redacted(set(merged(after, noteAfter))) end
  return b, a
end
local function auditPush(objectType, objectId, before, after)
  -- One above the last row's id: ascending even if someone trimmed the list.
  local last = redis.call('LINDEX', AUDIT_KEY, -1)
  local id = 1
  if last then id = (tonumber(cjson.decode(last).id) or redis.call('LLEN', AUDIT_KEY)) + 1 end
  local entry = { id = id, at = ACTOR.at, os_user = ACTOR.os_user, host = ACTOR.host,
    action = ACTOR.action, command = ACTOR.command, reason = ACTOR.reason, object_type = objectType,
    object_id = objectId or cjson.null, before = before, after = after }
  redis.call('RPUSH', AUDIT_KEY, cjson.encode(entry))
end
local function audit(objectType, objectId, before, after)
  local b, a = auditDiff(before, after, ACTOR.note_before, ACTOR.note_after)
  if b ~= nil then auditPush(objectType, objectId, b, a) end
end
`

/** Reads one server as Server.find would, for the reply: hash, legacy enabled flag, both scores. */
const SERVER_SNAPSHOT = `
local function snapshot(hashKey, enabledKey, loadKey, cordonedKey, id)
  return { redis.call('HGETALL', hashKey), redis.call('SISMEMBER', enabledKey, id),
    redis.call('ZSCORE', loadKey, id) or '', redis.call('ZSCORE', cordonedKey, id) or '' }
end
`

/** Destroys a meeting as Meeting#destroy! does, the voice bridge only while it still maps to it. */
const DESTROY_MEETING = `
local function destroyMeeting(prefix, meetingsKey, bridgesKey, m)
  local key = prefix .. 'meeting:' .. m
  local bridge = redis.call('HGET', key, 'voice_bridge')
  redis.call('DEL', key)
  redis.call('SREM', meetingsKey, m)
  if bridge and redis.call('HGET', bridgesKey, bridge) == m then redis.call('HDEL', bridgesKey, bridge) end
end
`

/** The id of an existing tenant other than \`except\` named \`name\`: its name index, else a scan. */
const TENANT_OWNER = `
local function tenantOwner(prefix, tenantsKey, name, except)
  local indexed = redis.call('HGET', prefix .. 'tenant_name:' .. name, 'id')
  if indexed and indexed ~= except and redis.call('HGET', prefix .. 'tenant:' .. indexed, 'name') == name then return indexed end
  for _, t in ipairs(redis.call('SMEMBERS', tenantsKey)) do
    if t ~= except and redis.call('HGET', prefix .. 'tenant:' .. t, 'name') == name then return t end
  end
  return false
end
`

export interface ScriptDef {
  numberOfKeys: number
  lua: string
}

/**
 * KEYS: servers, server:<id>, server_enabled. ARGV: id, enable ('1'/'0'), prefix, n, n hash field/value
 * items, then the id/url pairs of every server the caller's URL check saw: when the servers are no
 * longer exactly those, the caller reads again (RETRY), so two adds of one URL cannot both pass.
 */
export const ADD_SERVER: ScriptDef = {
  numberOfKeys: 3,
  lua: `${AUDIT}
local id, prefix, n = ARGV[1], ARGV[3], tonumber(ARGV[4])
if redis.call('SISMEMBER', KEYS[1], id) == 1 then return {'EXISTS'} end
local first = 5 + n
if redis.call('SCARD', KEYS[1]) ~= (#ARGV - first + 1) / 2 then return {'RETRY'} end
for i = first, #ARGV, 2 do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then return {'RETRY'} end
  if (redis.call('HGET', prefix .. 'server:' .. ARGV[i], 'url') or '') ~= ARGV[i + 1] then return {'RETRY'} end
end
-- A hash without a member of servers is a leftover of an interrupted write: start clean.
redis.call('DEL', KEYS[2])
for i = 5, 4 + n, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], id)
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[2], 'state', 'enabled')
  redis.call('SADD', KEYS[3], id)
end
audit('server', id, false, auditFields(KEYS[2], SERVER_FIELDS))
return {'OK'}
`,
}

/**
 * The changes of one server as Server#save! writes them: the given fields, a blank tag deleted, and
 * a state change moving the score between the sorted sets (the load carried over; none when coming
 * from disabled). Setting the stored state again writes nothing. The keys of the sets are upvalues.
 */
const APPLY_SERVER_CHANGES = `
local function applyChanges(serversKey, enabledKey, loadKey, cordonedKey, hashKey, id, secret, tagMode, tag, multiplier, target)
  local function set(field, value)
    if redis.call('HGET', hashKey, field) ~= value then redis.call('HSET', hashKey, field, value) end
  end
  if secret ~= '' then set('secret', secret) end
  if tagMode == 'del' then redis.call('HDEL', hashKey, 'tag') elseif tagMode == 'set' then set('tag', tag) end
  if multiplier ~= '' then
    local stored = redis.call('HGET', hashKey, 'load_multiplier')
    if not (stored and (stored == multiplier or tonumber(stored) == tonumber(multiplier))) then
      redis.call('HSET', hashKey, 'load_multiplier', multiplier)
    end
  end
  if target == '' then return end
  local stored = redis.call('HGET', hashKey, 'state')
  if stored == '' then stored = false end
  if stored == target then return end
  -- The load as Server.find loaded it.
  local load = false
  if stored == 'cordoned' then load = redis.call('ZSCORE', cordonedKey, id)
  elseif stored and stored ~= 'disabled' then load = redis.call('ZSCORE', loadKey, id)
  elseif not stored and redis.call('SISMEMBER', enabledKey, id) == 1 then load = redis.call('ZSCORE', loadKey, id) end
  redis.call('HSET', hashKey, 'state', target)
  if target == 'enabled' then
    if not load then load = redis.call('ZSCORE', cordonedKey, id) end
    redis.call('SADD', enabledKey, id)
    if load then redis.call('ZADD', loadKey, load, id) end
    redis.call('ZREM', cordonedKey, id)
  elseif target == 'cordoned' then
    if not load then load = redis.call('ZSCORE', loadKey, id) end
    if load then redis.call('ZADD', cordonedKey, load, id) end
    redis.call('ZREM', loadKey, id)
    redis.call('SREM', enabledKey, id)
  else
    redis.call('SREM', enabledKey, id)
    redis.call('ZREM', loadKey, id)
    redis.call('ZREM', cordonedKey, id)
  end
end
`

/**
 * KEYS: servers, server:<id>, server_enabled, server_load, cordoned_server_load.
 * ARGV: id, secret ('' keeps), tag mode ('keep'/'del'/'set'), tag, load multiplier ('' keeps),
 * state ('' keeps), prefix, and for a new URL: the URL, then the id/url pairs the caller's check saw.
 */
export const UPDATE_SERVER: ScriptDef = {
  numberOfKeys: 5,
  lua: `${AUDIT}${SERVER_SNAPSHOT}${APPLY_SERVER_CHANGES}
local id, prefix = ARGV[1], ARGV[7]
if redis.call('SISMEMBER', KEYS[1], id) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'NOTFOUND'} end
local before = auditFields(KEYS[2], SERVER_FIELDS)
if ARGV[8] then
  -- A new URL, checked by the caller against the servers it saw: they must still be exactly those.
  if redis.call('SCARD', KEYS[1]) ~= (#ARGV - 8) / 2 then return {'RETRY'} end
  for i = 9, #ARGV, 2 do
    if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then return {'RETRY'} end
    if (redis.call('HGET', prefix .. 'server:' .. ARGV[i], 'url') or '') ~= ARGV[i + 1] then return {'RETRY'} end
  end
  if redis.call('HGET', KEYS[2], 'url') ~= ARGV[8] then redis.call('HSET', KEYS[2], 'url', ARGV[8]) end
end
applyChanges(KEYS[1], KEYS[3], KEYS[4], KEYS[5], KEYS[2], id, ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
audit('server', id, before, auditFields(KEYS[2], SERVER_FIELDS))
return {'OK', snapshot(KEYS[2], KEYS[3], KEYS[4], KEYS[5], id)}
`,
}

/**
 * KEYS: servers, server_enabled, server_load, cordoned_server_load. ARGV: prefix, then for each
 * server: id, secret, tag mode, tag, load multiplier, state (as UPDATE_SERVER). Every server is
 * checked before the first write, so a missing one changes nothing.
 */
export const UPDATE_SERVERS: ScriptDef = {
  numberOfKeys: 4,
  lua: `${AUDIT}${SERVER_SNAPSHOT}${APPLY_SERVER_CHANGES}
local prefix = ARGV[1]
for i = 2, #ARGV, 6 do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 or redis.call('EXISTS', prefix .. 'server:' .. ARGV[i]) == 0 then return {'NOTFOUND', ARGV[i]} end
end
local snapshots, befores, afters, any = {}, {}, {}, false
for i = 2, #ARGV, 6 do
  local hashKey = prefix .. 'server:' .. ARGV[i]
  local before = auditFields(hashKey, SERVER_FIELDS)
  applyChanges(KEYS[1], KEYS[2], KEYS[3], KEYS[4], hashKey, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
  snapshots[#snapshots + 1] = snapshot(hashKey, KEYS[2], KEYS[3], KEYS[4], ARGV[i])
  local b, a = auditDiff(before, auditFields(hashKey, SERVER_FIELDS))
  if b ~= nil then befores[ARGV[i]] = b; afters[ARGV[i]] = a; any = true end
end
if any then auditPush('servers', false, befores, afters) end
return {'OK', snapshots}
`,
}

/**
 * KEYS: servers, server:<id>, server_enabled, server_load, cordoned_server_load, meetings,
 * voice_bridges. ARGV: id, force ('1'/'0'), prefix, counters key ('' for none). Refuses while
 * meetings point at the server unless forced (then they go in the same step); also removes the
 * poller's counters hash, which Scalelite leaves behind.
 */
export const REMOVE_SERVER: ScriptDef = {
  numberOfKeys: 7,
  lua: `${AUDIT}${DESTROY_MEETING}
local id, prefix = ARGV[1], ARGV[3]
if redis.call('SISMEMBER', KEYS[1], id) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'NOTFOUND'} end
local mine = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[6])) do
  if redis.call('HGET', prefix .. 'meeting:' .. m, 'server_id') == id then mine[#mine + 1] = m end
end
if #mine > 0 and ARGV[2] ~= '1' then return {'MEETINGS', #mine} end
local before = auditFields(KEYS[2], SERVER_FIELDS)
if #mine > 0 then before.meetings = #mine end
audit('server', id, before, false)
for _, m in ipairs(mine) do destroyMeeting(prefix, KEYS[6], KEYS[7], m) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[1], id)
redis.call('SREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
redis.call('ZREM', KEYS[5], id)
if ARGV[4] ~= '' and redis.call('TYPE', ARGV[4]).ok == 'hash' then redis.call('DEL', ARGV[4]) end
return {'OK', #mine}
`,
}

/**
 * KEYS: meetings, voice_bridges. ARGV: server id, prefix, 'all' or 'ids', then the meeting ids.
 * Destroys those meetings that still belong to the server; returns how many.
 */
export const DELETE_MEETINGS: ScriptDef = {
  numberOfKeys: 2,
  lua: `${AUDIT}${DESTROY_MEETING}
local serverId, prefix = ARGV[1], ARGV[2]
local ids = {}
if ARGV[3] == 'all' then ids = redis.call('SMEMBERS', KEYS[1]) else for i = 4, #ARGV do ids[#ids + 1] = ARGV[i] end end
local count = 0
for _, m in ipairs(ids) do
  if redis.call('HGET', prefix .. 'meeting:' .. m, 'server_id') == serverId then
    destroyMeeting(prefix, KEYS[1], KEYS[2], m)
    count = count + 1
  end
end
return {'OK', count}
`,
}

/**
 * KEYS: tenants, tenant:<id>, tenant_name:<name>. ARGV: id, name, prefix, then the hash's
 * field/value items. A name another tenant has is a conflict; Scalelite itself would store both.
 */
export const ADD_TENANT: ScriptDef = {
  numberOfKeys: 3,
  lua: `${AUDIT}${TENANT_OWNER}
local id, name, prefix = ARGV[1], ARGV[2], ARGV[3]
local other = tenantOwner(prefix, KEYS[1], name, id)
if other then return {'CONFLICT', other} end
if redis.call('SISMEMBER', KEYS[1], id) == 1 then return {'CONFLICT', id} end
redis.call('HSET', KEYS[3], 'id', id)
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], id)
audit('tenant', id, false, auditFields(KEYS[2], TENANT_FIELDS))
return {'OK'}
`,
}

/**
 * KEYS: tenants, tenant:<id>. ARGV: id, prefix, new name ('' keeps), secrets ('' keeps), then
 * field/value items of lrs_/kc_ fields ('' deletes). A rename moves the name index and deletes the old
 * name's index only while it still points at this tenant (Scalelite deletes it whoever it points at).
 */
export const UPDATE_TENANT: ScriptDef = {
  numberOfKeys: 2,
  lua: `${AUDIT}${TENANT_OWNER}
local id, prefix, name, secrets = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('SISMEMBER', KEYS[1], id) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'NOTFOUND'} end
local before = auditFields(KEYS[2], TENANT_FIELDS)
local current = redis.call('HGET', KEYS[2], 'name')
if name ~= '' and name ~= current then
  local other = tenantOwner(prefix, KEYS[1], name, id)
  if other then return {'CONFLICT', other} end
  redis.call('HSET', prefix .. 'tenant_name:' .. name, 'id', id)
  if current then
    local old = prefix .. 'tenant_name:' .. current
    if redis.call('HGET', old, 'id') == id then redis.call('DEL', old) end
  end
  redis.call('HSET', KEYS[2], 'name', name)
end
if secrets ~= '' and redis.call('HGET', KEYS[2], 'secrets') ~= secrets then redis.call('HSET', KEYS[2], 'secrets', secrets) end
for i = 5, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[2], ARGV[i])
  elseif redis.call('HGET', KEYS[2], ARGV[i]) ~= ARGV[i + 1] then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
audit('tenant', id, before, auditFields(KEYS[2], TENANT_FIELDS))
return {'OK', redis.call('HGETALL', KEYS[2])}
`,
}

/**
 * KEYS: tenants, tenant:<id>, tenant_settings:<id>. ARGV: id, prefix. The name index goes only while
 * it points here. The tenant's settings go too (Scalelite leaves them behind), each only while it
 * still names this tenant.
 */
export const DELETE_TENANT: ScriptDef = {
  numberOfKeys: 3,
  lua: `${AUDIT}
local id, prefix = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[1], id) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'NOTFOUND'} end
local before = auditFields(KEYS[2], TENANT_FIELDS)
local settings = redis.call('SCARD', KEYS[3])
if settings > 0 then before.settings = settings end
audit('tenant', id, before, false)
local name = redis.call('HGET', KEYS[2], 'name')
redis.call('DEL', KEYS[2])
if name then
  local index = prefix .. 'tenant_name:' .. name
  if redis.call('HGET', index, 'id') == id then redis.call('DEL', index) end
end
redis.call('SREM', KEYS[1], id)
for _, s in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local key = prefix .. 'tenant_setting:' .. s
  local owner = redis.call('HGET', key, 'tenant_id')
  if not owner or owner == id then redis.call('DEL', key) end
end
redis.call('DEL', KEYS[3])
return {'OK'}
`,
}

/**
 * KEYS: tenants, tenant:<tenant id>, tenant_settings:<tenant id>, tenant_setting:<id>. ARGV: id,
 * tenant id, param, value, override ('true'/'false'), prefix. Writes what TenantSetting#save! writes:
 * the hash and the id in the tenant's set. A second setting of the tenant with the same param and
 * override is a conflict (Scalelite would store both); override reads as Scalelite reads it, 'true' or not.
 */
export const ADD_TENANT_SETTING: ScriptDef = {
  numberOfKeys: 4,
  lua: `${AUDIT}
local id, tenantId, param, value, override, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('SISMEMBER', KEYS[1], tenantId) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {'NOTFOUND'} end
for _, s in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local other = redis.call('HMGET', prefix .. 'tenant_setting:' .. s, 'param', 'override')
  if other[1] == param and ((other[2] == 'true') == (override == 'true')) then return {'CONFLICT', s} end
end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'CONFLICT', id} end
redis.call('HSET', KEYS[4], 'param', param, 'value', value, 'override', override, 'tenant_id', tenantId)
redis.call('SADD', KEYS[3], id)
audit('tenant_setting', id, false, settingFields(KEYS[4]))
return {'OK'}
`,
}

/**
 * KEYS: tenant_setting:<id>. ARGV: id, prefix. Deletes the hash and the id from the set of the tenant
 * it names, as TenantSetting#destroy! does.
 */
export const REMOVE_TENANT_SETTING: ScriptDef = {
  numberOfKeys: 1,
  lua: `${AUDIT}
local id, prefix = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
audit('tenant_setting', id, settingFields(KEYS[1]), false)
local tenantId = redis.call('HGET', KEYS[1], 'tenant_id')
redis.call('DEL', KEYS[1])
if tenantId then redis.call('SREM', prefix .. 'tenant_settings:' .. tenantId, id) end
return {'OK'}
`,
}

export const SCRIPTS = {
  addServer: ADD_SERVER,
  updateServer: UPDATE_SERVER,
  updateServers: UPDATE_SERVERS,
  removeServer: REMOVE_SERVER,
  deleteMeetings: DELETE_MEETINGS,
  addTenant: ADD_TENANT,
  updateTenant: UPDATE_TENANT,
  deleteTenant: DELETE_TENANT,
  addTenantSetting: ADD_TENANT_SETTING,
  removeTenantSetting: REMOVE_TENANT_SETTING,
}
