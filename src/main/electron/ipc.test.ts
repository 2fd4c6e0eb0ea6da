import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/api/ipc-channels'
import { type FakeBrowserWindow, type FakeElectron, installFakeElectron } from '../../../test/support/fake-electron'
import { HushCore } from '../core/host'
import { silentLogger } from '../core/log/logger'
import { endOfTick } from '../core/testing/end-of-tick'
import { FakeNetwork } from '../core/testing/fake-network'

describe('IPC', () => {
  let electron: FakeElectron
  let dir: string
  let core: HushCore
  let stop: () => void
  let window: FakeBrowserWindow

  async function serve(devServerUrl?: string): Promise<void> {
    const { serveIpc } = await import('./ipc')
    const { createMainWindow } = await import('./window')
    stop = serveIpc(core, () => window as never, devServerUrl)
    createMainWindow({ devServerUrl })
    window = electron.BrowserWindow.windows[0]!
  }

  beforeEach(async () => {
    electron = installFakeElectron()
    dir = mkdtempSync(join(tmpdir(), 'hush-ipc-'))
    core = new HushCore({ profileDir: dir, runtime: 'electron', version: '1.2.3', log: silentLogger, network: new FakeNetwork() })
    await core.start()
  })

  afterEach(async () => {
    stop()
    await core.stop()
    rmSync(dir, { recursive: true, force: true })
    vi.doUnmock('electron')
  })

  const refused = { ok: false, error: { code: 'BAD_REQUEST', message: 'Calls are accepted only from the Hush window' } }

  it('answers a call from the main frame of the app page at its production URL (regression: opaque hush:// origin)', async () => {
    await serve()
    expect(window.webContents.getURL()).toBe('hush://app/index.html')
    const answer = await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})
    expect(answer).toMatchObject({ ok: true, value: { name: 'Hush', version: '1.2.3', runtime: 'electron', profile: dir } })
  })

  it('answers the dev server page in development', async () => {
    await serve('http://localhost:5173')
    expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})).toMatchObject({ ok: true })
  })

  it('refuses an iframe, even one on the app origin', async () => {
    await serve()
    for (const url of ['hush://app/index.html', 'https://evil.example/']) {
      expect(await window.webContents.invokeFrom(window.webContents.addFrame(url), CALL_CHANNEL, 'app.info', {}), url).toEqual(refused)
    }
  })

  it('refuses a page of another origin in the window', async () => {
    await serve()
    for (const url of ['https://evil.example/', 'hush://evil/index.html', 'file:///tmp/x.html', 'data:text/html,x', 'about:blank']) {
      window.webContents.mainFrame.url = url
      expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', {}), url).toEqual(refused)
    }
  })

  it('refuses the production page when the dev server is the page, and the reverse', async () => {
    await serve('http://localhost:5173')
    window.webContents.mainFrame.url = 'hush://app/index.html'
    expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})).toEqual(refused)
  })

  it('refuses another window, even one showing the app page', async () => {
    await serve()
    const other = new electron.BrowserWindow({})
    await other.loadURL('hush://app/index.html')
    expect(await other.webContents.invoke(CALL_CHANNEL, 'app.info', {})).toEqual(refused)
  })

  it('refuses once the window is gone', async () => {
    await serve()
    window.destroy()
    expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})).toEqual(refused)
  })

  it('validates what the page sends: unknown methods and bad arguments get errors, not a crash', async () => {
    await serve()
    expect(await window.webContents.invoke(CALL_CHANNEL, 'no.such', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(await window.webContents.invoke(CALL_CHANNEL, { toString: null }, null)).toMatchObject({ ok: false })
  })

  it('delivers core events to the app page on the event channel, and to no other page', async () => {
    await serve()
    core.events.emit('node.status', { state: 'running', enode: null, peers: [], envelopes: 0 })
    await endOfTick()
    expect(window.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, args: ['node.status', { state: 'running', enode: null, peers: [], envelopes: 0 }] }])
    window.webContents.mainFrame.url = 'https://evil.example/'
    core.events.emit('node.status', { state: 'stopped', enode: null, peers: [], envelopes: 0 })
    await endOfTick()
    expect(window.webContents.sent).toHaveLength(1)
  })

  it('stops answering and forwarding when stopped', async () => {
    await serve()
    stop()
    await expect(window.webContents.invoke(CALL_CHANNEL, 'app.info', {})).rejects.toThrow(/No handler registered/)
    core.events.emit('node.status', { state: 'running', enode: null, peers: [], envelopes: 0 })
    await endOfTick()
    expect(window.webContents.sent).toEqual([])
    stop = () => {}
  })
})
