// In-process tests of src/schemas/fleet-file.ts and the sync plan: the servers:yaml document as Psych
// writes it, reading it back (YAML 1.1 as Ruby reads it, JSON too), and Scalelite's sync rules.
import { describe, expect, test } from 'vitest'
import { planSync } from '../../src/commands/servers/sync.ts'
import type { Server } from '../../src/db/store.ts'
import { UsageError } from '../../src/errors.ts'
import { exportDocument, exportJson, exportYaml, parseFleetFile } from '../../src/schemas/fleet-file.ts'

const server = (id: string, more: Partial<Server> = {}): Server => ({
  id,
  url: `https://${id}/bigbluebutton/api`,
  secret: `${id}-secret`,
  tag: null,
  state: 'enabled',
  load: null,
  loadMultiplier: 1,
  online: false,
  bbbVersion: null,
  ...more,
})

describe('export', () => {
  test('YAML as Psych dumps it: ---, floats with a decimal, empty tag quoted, ids in the order given', () => {
    const document = exportDocument([server('b.example.com', { loadMultiplier: 3 }), server('007', { state: 'cordoned', tag: 'no' })], false)
    expect(exportYaml(document)).toBe(
      [
        '---',
        'servers:',
        '  b.example.com:',
        '    url: https://b.example.com/bigbluebutton/api',
        '    secret: b.example.com-secret',
        '    load_multiplier: 3.0',
        "    tag: ''",
        '    enabled: true',
        "  '007':",
        '    url: https://007/bigbluebutton/api',
        '    secret: 007-secret',
        '    load_multiplier: 1.0',
        "    tag: 'no'",
        '    enabled: false',
        '',
      ].join('\n'),
    )
    expect(exportJson(document)).toBe(
      '{"servers":{"b.example.com":{"url":"https://b.example.com/bigbluebutton/api","secret":"b.example.com-secret","load_multiplier":3,"tag":"","enabled":true},' +
        '"007":{"url":"https://007/bigbluebutton/api","secret":"007-secret","load_multiplier":1,"tag":"no","enabled":false}}}',
    )
  })

  test('no servers: an empty mapping', () => {
    expect(exportYaml(exportDocument([], true))).toBe('---\nservers: {}\n')
    expect(exportJson(exportDocument([], true))).toBe('{"servers":{}}')
  })

  test('what it writes reads back as the same servers', () => {
    const servers = [server('yes', { tag: 'on', loadMultiplier: 2.5 }), server('12', { secret: '0x1F', state: 'disabled' }), server('a', { secret: 'a: b # c' })]
    expect(parseFleetFile(exportYaml(exportDocument(servers, true)))).toEqual([
      { id: 'yes', url: 'https://yes/bigbluebutton/api', secret: 'yes-secret', loadMultiplier: 2.5, tag: 'on', enabled: true },
      { id: '12', url: 'https://12/bigbluebutton/api', secret: '0x1F', loadMultiplier: 1, tag: null, enabled: false },
      { id: 'a', url: 'https://a/bigbluebutton/api', secret: 'a: b # c', loadMultiplier: 1, tag: null, enabled: true },
    ])
  })
})

describe('parseFleetFile', () => {
  test("Scalelite's defaults; YAML 1.1 booleans; JSON", () => {
    expect(parseFleetFile('servers:\n  bbb1.example.com:\n    secret: s\n    enabled: no\n    load_multiplier: "1.5"\n')).toEqual([
      { id: 'bbb1.example.com', url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's', loadMultiplier: 1.5, tag: null, enabled: false },
    ])
    expect(parseFleetFile('{"servers":{"a":{"secret":"s","enabled":true,"tag":""}}}')).toEqual([
      { id: 'a', url: 'https://a/bigbluebutton/api', secret: 's', loadMultiplier: 1, tag: null, enabled: true },
    ])
    // A number as secret or tag is its text; an empty entry has no secret.
    expect(parseFleetFile('servers:\n  a:\n    secret: 12345\n    tag: 7\n')[0]).toMatchObject({ secret: '12345', tag: '7' })
    expect(() => parseFleetFile('servers:\n  a:\n')).toThrow(new UsageError('Server id=a has no secret'))
  })

  test('a document with one id twice, or two documents, is not valid', () => {
    expect(() => parseFleetFile('servers:\n  a: {secret: s}\n  a: {secret: t}\n')).toThrow(new UsageError('Invalid YAML document'))
    expect(() => parseFleetFile('servers: {}\n---\nservers: {}\n')).toThrow(new UsageError('Invalid YAML document'))
  })

  test('the first problem in file order is the one reported', () => {
    expect(() => parseFleetFile('servers:\n  a:\n    secret: s\n    load_multiplier: 0\n  b c:\n    secret: s\n')).toThrow(
      new UsageError('Server id=a has invalid load_multiplier=0'),
    )
  })
})

describe('planSync', () => {
  const entry = (id: string, more: Partial<ReturnType<typeof parseFleetFile>[number]> = {}) => ({
    id,
    url: `https://${id}/bigbluebutton/api`,
    secret: `${id}-secret`,
    loadMultiplier: 1,
    tag: null,
    enabled: true,
    ...more,
  })

  test('a stored server without a multiplier has 1.0; a legacy state word reads as disabled', () => {
    const plan = planSync([entry('a'), entry('b', { enabled: false })], [server('a', { loadMultiplier: null }), server('b', { state: 'disabled' })], new Map(), 'cordon')
    expect(plan).toEqual({ steps: [], forceRemove: [], report: [] })
  })

  test('steps run removals first, then updates, then creations, so a URL can move from a removed server to a new one', () => {
    const plan = planSync([entry('new', { url: 'https://old/bigbluebutton/api' }), entry('kept', { secret: 'changed' })], [server('old'), server('kept')], new Map(), 'cordon')
    expect(plan.steps.map((s) => [s.kind, s.kind === 'create' ? s.server.id : s.id])).toEqual([
      ['remove', 'old'],
      ['update', 'kept'],
      ['create', 'new'],
    ])
    expect(plan.report.map((c) => [c.id, c.change])).toEqual([
      ['new', 'create'],
      ['kept', 'update'],
      ['old', 'remove'],
    ])
  })

  test('force mode: a missing enabled server with meetings is cordoned in the transaction, then its meetings ended and it is removed', () => {
    const servers = [server('busy'), server('busy-disabled', { state: 'disabled' })]
    const counts = new Map([
      ['busy', 2],
      ['busy-disabled', 1],
    ])
    const plan = planSync([], servers, counts, 'force')
    expect(plan.steps).toEqual([{ kind: 'update', id: 'busy', changes: { state: 'cordoned' } }])
    expect(plan.forceRemove).toEqual(['busy', 'busy-disabled'])
    // Cordon mode: only the enabled one changes.
    expect(planSync([], servers, counts, 'cordon').report).toEqual([{ id: 'busy', change: 'update', fields: ['state'], state: 'cordoned', in_file: false, meetings: 2 }])
  })
})
