// `servers export` and `servers sync` end to end, on both SQL backends: the document of Scalelite's
// `rake servers:yaml`, Scalelite's own sync cases (create, update, enable, cordon on `enabled: false`,
// the three modes for servers missing from the file, each validation message with nothing written),
// export → sync changing nothing, stdin, and --dry-run's exit codes.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type BbbStandIn, MESSAGES, param, startBbb } from '../support/bbb-server.ts'
import { cli, type CliResult } from '../support/cli.ts'
import { freshDb, removeTempDirs, SQL_BACKENDS, tempDir, type TestDb } from '../support/db.ts'
import { type FleetRow, fleetRows, seedServers, sortWarnings } from '../support/fleet-fixtures.ts'
import { createSchema } from '../support/server-fixtures.ts'

afterAll(removeTempDirs)

type Change = { id: string; change: string; fields: string[]; state: string | null; in_file: boolean; meetings: number }
const report = (mode: string, changes: Change[], dryRun = false) => `${JSON.stringify({ mode, dry_run: dryRun, changes })}\n`
const created = (id: string, state: string): Change => ({ id, change: 'create', fields: [], state, in_file: true, meetings: 0 })
const updated = (id: string, fields: string[], state: string): Change => ({ id, change: 'update', fields, state, in_file: true, meetings: 0 })
const api = (host: string) => `https://${host}/bigbluebutton/api`

/** A row as sync leaves it, without the poll columns. */
const stored = (rows: FleetRow[]) => rows.map(({ id, url, secret, tag, state, load_multiplier }) => ({ id, url, secret, tag, state, load_multiplier }))

describe.each(SQL_BACKENDS)('servers sync on %s', (backend) => {
  let db: TestDb
  let dir: string
  let bbb: BbbStandIn | undefined

  beforeEach(async () => {
    db = await freshDb(backend)
    await createSchema(db)
    dir = tempDir()
  })
  afterEach(async () => {
    await bbb?.stop()
    bbb = undefined
    await db.drop()
  })

  const run = async (args: string[], input?: string): Promise<CliResult> => {
    const result = await cli(args, { db: db.url, input })
    return { ...result, stderr: sortWarnings(result.stderr) }
  }
  const file = (text: string, name = 'fleet.yml') => {
    const where = path.join(dir, name)
    writeFileSync(where, text)
    return where
  }
  const insertMeetings = async (serverId: string, ids: string[]) => {
    for (const id of ids) await db.query('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, $2, $3)', id, serverId, `${id}-pw`)
  }
  const meetingIds = async () => (await db.query<{ id: string }>('SELECT id FROM meetings ORDER BY id')).map((r) => r.id)

  // Scalelite's sync cases in one document: create, update, enable, and cordon on `enabled: false`.
  test('creates, updates, enables and cordons as the document says', async () => {
    await seedServers(db, [
      { id: 'bbb1.example.com', url: api('bbb1.example.com'), secret: 'old-secret', state: 'enabled', load_multiplier: 1 },
      { id: 'bbb2.example.com', url: api('bbb2.example.com'), secret: 'secret-2', state: 'disabled', load_multiplier: 1, tag: 'old' },
      { id: 'bbb3.example.com', url: api('bbb3.example.com'), secret: 'secret-3', state: 'enabled', load_multiplier: 1, load: 12 },
      { id: 'bbb4.example.com', url: api('bbb4.example.com'), secret: 'secret-4', state: 'cordoned', load_multiplier: 1 },
      { id: 'bbb7.example.com', url: api('bbb7.example.com'), secret: 'secret-7', state: 'cordoned', load_multiplier: 1 },
    ])
    const document = [
      'servers:',
      '  bbb1.example.com:',
      '    url: https://bbb1-new.example.com/bigbluebutton/api',
      '    secret: new-secret',
      '    load_multiplier: 2.5',
      '    tag: big',
      '  bbb2.example.com:',
      '    secret: secret-2',
      '    tag: ""',
      '    enabled: true',
      '  bbb3.example.com:',
      '    secret: secret-3',
      '    enabled: false',
      '  bbb4.example.com:',
      '    secret: secret-4',
      '  bbb5.example.com:',
      '    url: http://bbb5.example.com/bigbluebutton/api',
      '    secret: secret-5',
      '  bbb6.example.com:',
      '    secret: secret-6',
      '    load_multiplier: 2',
      '    enabled: false',
      '  bbb7.example.com:',
      '    secret: secret-7',
      '    enabled: false',
      '',
    ].join('\n')

    const result = await run(['servers', 'sync', file(document), '--json'])

    expect(result).toEqual({
      stdout: report('cordon', [
        updated('bbb1.example.com', ['url', 'secret', 'load_multiplier', 'tag'], 'enabled'),
        updated('bbb2.example.com', ['tag', 'state'], 'enabled'),
        updated('bbb3.example.com', ['state'], 'cordoned'),
        updated('bbb4.example.com', ['state'], 'enabled'),
        created('bbb5.example.com', 'enabled'),
        created('bbb6.example.com', 'disabled'),
      ]),
      stderr: '',
      code: 0,
    })
    expect(stored(await fleetRows(db))).toEqual([
      { id: 'bbb1.example.com', url: api('bbb1-new.example.com'), secret: 'new-secret', tag: 'big', state: 'enabled', load_multiplier: 2.5 },
      { id: 'bbb2.example.com', url: api('bbb2.example.com'), secret: 'secret-2', tag: null, state: 'enabled', load_multiplier: 1 },
      { id: 'bbb3.example.com', url: api('bbb3.example.com'), secret: 'secret-3', tag: null, state: 'cordoned', load_multiplier: 1 },
      { id: 'bbb4.example.com', url: api('bbb4.example.com'), secret: 'secret-4', tag: null, state: 'enabled', load_multiplier: 1 },
      { id: 'bbb5.example.com', url: 'http://bbb5.example.com/bigbluebutton/api', secret: 'secret-5', tag: null, state: 'enabled', load_multiplier: 1 },
      // No url: https://<id>/bigbluebutton/api.
      { id: 'bbb6.example.com', url: api('bbb6.example.com'), secret: 'secret-6', tag: null, state: 'disabled', load_multiplier: 2 },
      { id: 'bbb7.example.com', url: api('bbb7.example.com'), secret: 'secret-7', tag: null, state: 'cordoned', load_multiplier: 1 },
    ])
    // Cordoning keeps the load, as a cordon always does.
    expect((await fleetRows(db)).find((r) => r.id === 'bbb3.example.com')!.load).toBe(12)

    // Piped, for people: one row per change.
    expect(await run(['servers', 'sync', file(document.replace('new-secret', 'newer-secret'))])).toEqual({
      stdout: 'bbb1.example.com\tupdate\tsecret\tenabled\tyes\t0\n',
      stderr: '',
      code: 0,
    })
  })

  const missingFromFile = async () => {
    bbb = await startBbb({ secret: 'bbb-secret', meetings: { 'm-1': { moderatorPw: 'm-1-pw' }, 'm-2': { moderatorPw: 'm-2-pw' }, 'm-3': { moderatorPw: 'm-3-pw' } } })
    await seedServers(db, [
      { id: 'listed', url: api('listed.example.com'), secret: 'secret-l', state: 'enabled', load_multiplier: 1 },
      { id: 'empty', url: api('empty.example.com'), secret: 'secret-e', state: 'enabled', load_multiplier: 1 },
      { id: 'busy', url: bbb.url, secret: 'bbb-secret', state: 'enabled', load_multiplier: 1, load: 5 },
      { id: 'busy-cordoned', url: bbb.url.replace('/bigbluebutton', '/other/../bigbluebutton'), secret: 'bbb-secret', state: 'cordoned', load_multiplier: 1 },
    ])
    await insertMeetings('busy', ['m-1', 'm-2'])
    await insertMeetings('busy-cordoned', ['m-3'])
    return file('servers:\n  listed:\n    url: https://listed.example.com/bigbluebutton/api\n    secret: secret-l\n')
  }

  test('--mode keep: servers missing from the file are left alone', async () => {
    const path = await missingFromFile()
    const before = await fleetRows(db)

    expect(await run(['servers', 'sync', path, '--mode', 'keep', '--json'])).toEqual({ stdout: report('keep', []), stderr: '', code: 0 })
    expect(await fleetRows(db)).toEqual(before)
    expect(await meetingIds()).toEqual(['m-1', 'm-2', 'm-3'])
    expect(bbb!.requests).toEqual([])
  })

  test('--mode cordon (the default): removes missing servers without meetings, cordons the enabled ones with meetings', async () => {
    const path = await missingFromFile()

    const result = await run(['servers', 'sync', path, '--json'])

    expect(result).toEqual({
      stdout: report('cordon', [
        { id: 'busy', change: 'update', fields: ['state'], state: 'cordoned', in_file: false, meetings: 2 },
        { id: 'empty', change: 'remove', fields: [], state: null, in_file: false, meetings: 0 },
      ]),
      stderr: '',
      code: 0,
    })
    expect((await fleetRows(db)).map((r) => [r.id, r.state])).toEqual([
      ['busy', 'cordoned'],
      ['busy-cordoned', 'cordoned'],
      ['listed', 'enabled'],
    ])
    expect(await meetingIds()).toEqual(['m-1', 'm-2', 'm-3'])
    expect(bbb!.requests).toEqual([])
  })

  test('--mode force: also ends the meetings of missing servers on BBB and removes them', async () => {
    const path = await missingFromFile()

    const result = await run(['servers', 'sync', path, '--mode', 'force', '--json'])

    expect(result).toEqual({
      stdout: report('force', [
        { id: 'busy', change: 'remove', fields: [], state: null, in_file: false, meetings: 2 },
        { id: 'busy-cordoned', change: 'remove', fields: [], state: null, in_file: false, meetings: 1 },
        { id: 'empty', change: 'remove', fields: [], state: null, in_file: false, meetings: 0 },
      ]),
      stderr: '',
      code: 0,
    })
    expect((await fleetRows(db)).map((r) => r.id)).toEqual(['listed'])
    expect(await meetingIds()).toEqual([])
    expect(
      bbb!
        .calls('end')
        .map((r) => [param(r, 'meetingID'), param(r, 'password'), r.checksumValid])
        .sort(),
    ).toEqual([
      ['m-1', 'm-1-pw', true],
      ['m-2', 'm-2-pw', true],
      ['m-3', 'm-3-pw', true],
    ])
  })

  test('--mode force: a failed end call is named on stderr, exit 5; the rows and the server go all the same', async () => {
    const path = await missingFromFile()
    bbb!.options = { ...bbb!.options, meetings: { ...bbb!.options.meetings, 'm-2': { moderatorPw: 'another' } } }

    const result = await run(['servers', 'sync', path, '--mode', 'force'])

    expect(result).toEqual({
      stdout: '',
      stderr:
        `warning: Could not end meeting id=m-2: invalidPassword: ${MESSAGES.invalidPassword}\n` +
        'error: 1 end calls failed; the sync was applied and the meeting rows were removed all the same\n',
      code: 5,
    })
    expect((await fleetRows(db)).map((r) => r.id)).toEqual(['listed'])
    expect(await meetingIds()).toEqual([])
  })

  test("--mode force: a meeting created while the others are ended keeps the server: Scalelite's 'still not empty', exit 4", async () => {
    const path = await missingFromFile()
    bbb!.options = {
      ...bbb!.options,
      delayMs: 300,
      // The load balancer places a new meeting on the server while its end calls are under way.
      onRequest: (r) => {
        if (param(r, 'meetingID') === 'm-1') void db.query('INSERT INTO meetings (id, server_id, moderator_pw) VALUES ($1, $2, $3)', 'late', 'busy', 'pw')
      },
    }

    const result = await run(['servers', 'sync', path, '--mode', 'force', '--json'])

    expect(result).toEqual({ stdout: '', stderr: '{"error":"[busy] Server still not empty!"}\n', code: 4 })
    expect((await fleetRows(db)).map((r) => [r.id, r.state])).toEqual([
      ['busy', 'cordoned'],
      ['listed', 'enabled'],
    ])
    expect(await meetingIds()).toEqual(['late'])
  })

  test('--dry-run prints the same report and changes nothing: exit 1 when something would change, 0 when nothing would', async () => {
    const path = await missingFromFile()
    const before = await fleetRows(db)

    const dry = await run(['servers', 'sync', path, '--mode', 'force', '--dry-run', '--json'])

    expect(dry).toEqual({
      stdout: report(
        'force',
        [
          { id: 'busy', change: 'remove', fields: [], state: null, in_file: false, meetings: 2 },
          { id: 'busy-cordoned', change: 'remove', fields: [], state: null, in_file: false, meetings: 1 },
          { id: 'empty', change: 'remove', fields: [], state: null, in_file: false, meetings: 0 },
        ],
        true,
      ),
      stderr: '',
      code: 1,
    })
    expect(await fleetRows(db)).toEqual(before)
    expect(await meetingIds()).toEqual(['m-1', 'm-2', 'm-3'])
    expect(bbb!.requests).toEqual([])

    expect(await run(['servers', 'sync', path, '--mode', 'keep', '--dry-run', '--json'])).toEqual({ stdout: report('keep', [], true), stderr: '', code: 0 })
    expect(await run(['servers', 'sync', path, '--mode', 'keep', '--dry-run'])).toEqual({ stdout: '', stderr: '', code: 0 })
    // Piped rows, as a real run prints them.
    expect(await run(['servers', 'sync', path, '--dry-run'])).toEqual({
      stdout: 'busy\tupdate\tstate\tcordoned\tno\t2\nempty\tremove\t\t\tno\t0\n',
      stderr: '',
      code: 1,
    })
    // An error is above 1.
    expect(await run(['servers', 'sync', file('servers: []\n'), '--dry-run'])).toEqual({ stdout: '', stderr: 'error: Servers parameter not a hash\n', code: 2 })
    expect(await fleetRows(db)).toEqual(before)
  })

  test('export then sync of the same document changes nothing, in YAML, verbose YAML and JSON', async () => {
    await seedServers(db, [
      { id: 'bbb1.example.com', url: api('bbb1.example.com'), secret: 'secret-1', state: 'enabled', load_multiplier: 1, load: 21, bbb_version: '3.0.24', online: true },
      { id: '12', url: api('bbb2.example.com'), secret: '0123', state: 'cordoned', load_multiplier: 2.5, tag: 'on' },
      { id: 'yes', url: api('bbb3.example.com'), secret: 'a: b # c', state: 'disabled', load_multiplier: 10 },
      // Written by another program: no multiplier, and a state word we do not know.
      { id: 'legacy', url: api('bbb4.example.com'), secret: 'secret-4', state: 'maintenance', load_multiplier: null },
    ])
    const before = await fleetRows(db)

    const exported = await run(['servers', 'export'])
    expect(exported).toEqual({
      stdout: [
        '---',
        'servers:',
        '  bbb1.example.com:',
        '    url: https://bbb1.example.com/bigbluebutton/api',
        '    secret: secret-1',
        '    load_multiplier: 1.0',
        "    tag: ''",
        '    enabled: true',
        "  '12':",
        '    url: https://bbb2.example.com/bigbluebutton/api',
        "    secret: '0123'",
        '    load_multiplier: 2.5',
        "    tag: 'on'",
        '    enabled: false',
        "  'yes':",
        '    url: https://bbb3.example.com/bigbluebutton/api',
        "    secret: 'a: b # c'",
        '    load_multiplier: 10.0',
        "    tag: ''",
        '    enabled: false',
        '  legacy:',
        '    url: https://bbb4.example.com/bigbluebutton/api',
        '    secret: secret-4',
        '    load_multiplier: 1.0',
        "    tag: ''",
        '    enabled: false',
        '',
      ].join('\n'),
      stderr: '',
      code: 0,
    })
    const verbose = await run(['servers', 'export', '--verbose'])
    expect(verbose.stdout.split('\n').slice(2, 12)).toEqual([
      '  bbb1.example.com:',
      '    url: https://bbb1.example.com/bigbluebutton/api',
      '    secret: secret-1',
      '    load_multiplier: 1.0',
      "    tag: ''",
      '    enabled: true',
      '    state: enabled',
      '    load: 21.0',
      '    bbb_version: 3.0.24',
      '    online: true',
    ])
    const asJson = await run(['servers', 'export', '--format', 'json'])
    expect(asJson.stdout).toBe(
      '{"servers":{"bbb1.example.com":{"url":"https://bbb1.example.com/bigbluebutton/api","secret":"secret-1","load_multiplier":1,"tag":"","enabled":true},' +
        '"12":{"url":"https://bbb2.example.com/bigbluebutton/api","secret":"0123","load_multiplier":2.5,"tag":"on","enabled":false},' +
        '"yes":{"url":"https://bbb3.example.com/bigbluebutton/api","secret":"a: b # c","load_multiplier":10,"tag":"","enabled":false},' +
        '"legacy":{"url":"https://bbb4.example.com/bigbluebutton/api","secret":"secret-4","load_multiplier":1,"tag":"","enabled":false}}}\n',
    )
    expect((await run(['servers', 'export', '--json'])).stdout).toBe(asJson.stdout)

    for (const document of [exported.stdout, verbose.stdout, asJson.stdout]) {
      expect(await run(['servers', 'sync', file(document), '--dry-run', '--json'])).toEqual({ stdout: report('cordon', [], true), stderr: '', code: 0 })
      expect(await run(['servers', 'sync', file(document), '--mode', 'force', '--json'])).toEqual({ stdout: report('force', []), stderr: '', code: 0 })
    }
    expect(await fleetRows(db)).toEqual(before)
  })

  test('reads the document from stdin with -, including what rake servers:yaml of a real Scalelite prints', async () => {
    // `rake servers:yaml[verbose]` of Scalelite: Psych's dump, the load as a float (-1.0 when none), a nil version empty.
    const scalelite = [
      '---',
      'servers:',
      '  2d2d674a-c6bb-48f3-8ad4-68f33a80a5b7:',
      '    url: https://bbb1.example.com/bigbluebutton/api',
      '    secret: 2bdce5cbab581f3f20b199b970e53ae3c9d9df6392f79589bd58be020ed14535',
      '    load_multiplier: 1.0',
      "    tag: ''",
      '    enabled: true',
      '    state: enabled',
      '    load: 21.0',
      '    bbb_version: 3.0.24',
      '    online: true',
      '  bbb2.example.com:',
      '    url: https://BBB2.example.com/bigbluebutton/api',
      '    secret: secret-b',
      '    load_multiplier: 2.5',
      '    tag: test-tag',
      '    enabled: false',
      '    state: cordoned',
      '    load: -1.0',
      '    bbb_version:',
      '    online: false',
      '',
    ].join('\n')

    const result = await run(['servers', 'sync', '-', '--json'], scalelite)

    expect(result).toEqual({
      stdout: report('cordon', [created('2d2d674a-c6bb-48f3-8ad4-68f33a80a5b7', 'enabled'), created('bbb2.example.com', 'disabled')]),
      stderr: '',
      code: 0,
    })
    expect(stored(await fleetRows(db))).toEqual([
      { id: '2d2d674a-c6bb-48f3-8ad4-68f33a80a5b7', url: api('bbb1.example.com'), secret: '2bdce5cbab581f3f20b199b970e53ae3c9d9df6392f79589bd58be020ed14535', tag: null, state: 'enabled', load_multiplier: 1 },
      { id: 'bbb2.example.com', url: 'https://BBB2.example.com/bigbluebutton/api', secret: 'secret-b', tag: 'test-tag', state: 'disabled', load_multiplier: 2.5 },
    ])
    // The figures in the document are ignored: a sync never writes load, version or online.
    expect((await fleetRows(db)).map((r) => [r.load, r.bbb_version, r.online])).toEqual([
      [null, null, false],
      [null, null, false],
    ])
    expect(await run(['servers', 'sync', '-', '--dry-run'], scalelite)).toEqual({ stdout: '', stderr: '', code: 0 })
  })

  // Scalelite's ServerSync validation: each message, exit 2, nothing written.
  test.each([
    ['not YAML', 'servers: [unclosed\n', 'Invalid YAML document'],
    ['not a mapping', '- a\n- b\n', 'Invalid YAML document'],
    ['an empty file', '', 'Invalid YAML document'],
    ['servers as a list (servers:addAll)', 'servers:\n  - url: https://a.example.com/bigbluebutton/api\n    secret: s\n', 'Servers parameter not a hash'],
    ['no servers key', 'server:\n  a:\n    secret: s\n', 'Servers parameter not a hash'],
    ['an id with a space', 'servers:\n  "bbb 1":\n    secret: s\n', 'Server id=bbb 1 contains invalid characters'],
    ['an id with a slash', 'servers:\n  bbb/1:\n    secret: s\n', 'Server id=bbb/1 contains invalid characters'],
    ['no secret', 'servers:\n  bbb1:\n    url: https://bbb1.example.com/bigbluebutton/api\n', 'Server id=bbb1 has no secret'],
    ['a blank secret', "servers:\n  bbb1:\n    secret: ''\n", 'Server id=bbb1 has no secret'],
    ['unknown keys', 'servers:\n  bbb1:\n    secret: s\n    weight: 2\n    region: eu\n', 'Server id=bbb1 has bad parameters: ["weight", "region"]'],
    ['a load_multiplier of 0', 'servers:\n  bbb1:\n    secret: s\n    load_multiplier: 0\n', 'Server id=bbb1 has invalid load_multiplier=0'],
    ['a negative load_multiplier', 'servers:\n  bbb1:\n    secret: s\n    load_multiplier: -1.5\n', 'Server id=bbb1 has invalid load_multiplier=-1.5'],
    ['a load_multiplier in words', 'servers:\n  bbb1:\n    secret: s\n    load_multiplier: lots\n', 'Server id=bbb1 has invalid load_multiplier=lots'],
    ['an ftp url', 'servers:\n  bbb1:\n    secret: s\n    url: ftp://bbb1.example.com/api\n', 'Server id=bbb1 has invalid url=ftp://bbb1.example.com/api'],
    ['a url without a scheme', 'servers:\n  bbb1:\n    secret: s\n    url: bbb1.example.com\n', 'Server id=bbb1 has invalid url=bbb1.example.com'],
    ['a url with no host before the path', 'servers:\n  bbb1:\n    secret: s\n    url: https:///api\n', 'Server id=bbb1 has invalid url=https:///api'],
    // Ours, where Scalelite would take anything for true.
    ['enabled in words', 'servers:\n  bbb1:\n    secret: s\n    enabled: sometimes\n', 'Server id=bbb1 has invalid enabled=sometimes (true or false)'],
    [
      'two servers with one URL',
      'servers:\n  a:\n    secret: s\n    url: https://bbb.example.com/bigbluebutton/api\n  b:\n    secret: s\n    url: https://BBB.example.com/bigbluebutton/api/\n',
      'Server id=b has the same url as server id=a: https://BBB.example.com/bigbluebutton/api/',
    ],
  ])('%s', async (_, document, message) => {
    await seedServers(db, [{ id: 'existing', url: api('existing.example.com'), secret: 'secret-x', state: 'enabled', load_multiplier: 1 }])
    const before = await fleetRows(db)
    // The second server is fine; the check of the whole document comes before any change.
    const path = file(document)

    expect(await run(['servers', 'sync', path])).toEqual({ stdout: '', stderr: `error: ${message}\n`, code: 2 })
    expect(await run(['servers', 'sync', path, '--json'])).toEqual({ stdout: '', stderr: `${JSON.stringify({ error: message })}\n`, code: 2 })
    expect(await fleetRows(db)).toEqual(before)
  })

  test('an unknown mode and an unreadable file are usage errors; nothing is written', async () => {
    await seedServers(db, [{ id: 'existing', url: api('existing.example.com'), secret: 'secret-x', state: 'enabled', load_multiplier: 1 }])
    const before = await fleetRows(db)

    expect(await run(['servers', 'sync', file('servers: {}\n'), '--mode', 'drain'])).toEqual({
      stdout: '',
      stderr: "error: Unknown sync mode 'drain' (choose: keep cordon force)\n",
      code: 2,
    })
    expect(await run(['servers', 'sync', path.join(dir, 'missing.yml')])).toEqual({
      stdout: '',
      stderr: `error: Cannot read ${path.join(dir, 'missing.yml')}: no such file\n`,
      code: 2,
    })
    expect(await run(['servers', 'export', '--format', 'xml'])).toEqual({ stdout: '', stderr: "error: Unknown format 'xml' (choose: yaml json)\n", code: 2 })
    expect(await fleetRows(db)).toEqual(before)
  })

  test('a document that gives another server the URL of a server in the database is a conflict; nothing is written', async () => {
    await seedServers(db, [
      { id: 'a', url: api('a.example.com'), secret: 'secret-a', state: 'enabled', load_multiplier: 1 },
      { id: 'b', url: api('b.example.com'), secret: 'secret-b', state: 'enabled', load_multiplier: 1 },
    ])
    const before = await fleetRows(db)
    // b changes and c is new, with a's URL written differently; a is not in the document (keep).
    const document = `servers:\n  b:\n    url: ${api('b.example.com')}\n    secret: changed\n  c:\n    url: ${api('A.example.com')}/\n    secret: s\n`

    expect(await run(['servers', 'sync', file(document), '--mode', 'keep'])).toEqual({
      stdout: '',
      stderr: `error: Server already exists with url=${api('A.example.com')}/ (id=a); nothing was changed\n`,
      code: 4,
    })
    expect(await fleetRows(db)).toEqual(before)
  })
})
