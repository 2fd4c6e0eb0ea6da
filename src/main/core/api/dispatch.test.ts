import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../../shared/api/client'
import { HushCore } from '../host'
import { silentLogger } from '../log/logger'
import { endOfTick } from '../testing/end-of-tick'
import { FakeNetwork } from '../testing/fake-network'
import { inProcessBridge } from './in-process'

describe('API dispatch', () => {
  let dir: string
  let core: HushCore
  let network: FakeNetwork

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-dispatch-'))
    network = new FakeNetwork()
    core = new HushCore({ profileDir: dir, runtime: 'in-process', version: '9.9.9', log: silentLogger, network })
    await core.start()
  })

  afterEach(async () => {
    await core.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers a valid call with a typed value', async () => {
    const client = createClient(inProcessBridge(core.dispatch, core.events))
    const result = await client.call('app.info', {})
    expect(result).toMatchObject({ ok: true, value: { name: 'Hush', version: '9.9.9', runtime: 'in-process' } })
  })

  it('rejects a malformed argument with a clear error before any handler runs', async () => {
    const result = await core.dispatch('app.openExternal', { url: 42 }, { transport: 'in-process' })
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: 'Invalid arguments for app.openExternal',
        details: ['url: Invalid input: expected string, received number']
      }
    })
  })

  it('rejects unexpected extra arguments and unknown methods', async () => {
    const extra = await core.dispatch('app.info', { evil: true }, { transport: 'in-process' })
    expect(extra).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    const unknown = await core.dispatch('fs.readFile', {}, { transport: 'in-process' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    const prototype = await core.dispatch('constructor', {}, { transport: 'in-process' })
    expect(prototype).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
  })

  it('refuses to open anything but http(s) links', async () => {
    const client = createClient(inProcessBridge(core.dispatch, core.events))
    expect(await client.call('app.openExternal', { url: 'javascript:alert(1)' })).toEqual({ ok: true, value: { opened: false } })
  })

  it('pushes node.status events through the typed client', async () => {
    const client = createClient(inProcessBridge(core.dispatch, core.events))
    const seen: number[] = []
    const off = client.on('node.status', (status) => seen.push(status.envelopes))
    network.update({ envelopes: 7 })
    await endOfTick()
    off()
    network.update({ envelopes: 8 })
    await endOfTick()
    expect(seen).toEqual([7])
  })

  it('holds the profile lock while running', async () => {
    const second = new HushCore({ profileDir: dir, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork() })
    await expect(second.start()).rejects.toThrow(/already open/)
  })
})
