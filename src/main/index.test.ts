import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CALL_CHANNEL } from '../shared/api/ipc-channels'
import { type FakeElectron, holdInstanceLock, installFakeElectron } from '../../test/support/fake-electron'

/**
 * src/main/index.ts run for real (a real core, a real network listener on 127.0.0.1:0) against the fake
 * Electron: each test imports it afresh with its own argv, as a launch of the app would.
 */
describe('the Electron entry', () => {
  let electron: FakeElectron
  let dir: string
  const argv = process.argv
  const cleanups: Array<() => unknown> = []

  beforeEach(() => {
    electron = installFakeElectron({ ready: false })
    dir = mkdtempSync(join(tmpdir(), 'hush-main-'))
  })

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    process.argv = argv
    vi.unstubAllEnvs()
    vi.doUnmock('electron')
    rmSync(dir, { recursive: true, force: true })
  })

  /** Makes the app ready and waits until it has either a window or an error box. */
  async function becomeReady(): Promise<void> {
    electron.app.becomeReady()
    await vi.waitFor(
      () => {
        if (electron.BrowserWindow.windows.length + electron.dialog.errors.length === 0) throw new Error('still starting')
      },
      { timeout: 20_000 }
    )
  }

  /** Launches the entry with these arguments; the fake app becomes ready unless told not to. */
  async function launch(args: string[], options: { ready?: boolean } = {}) {
    process.argv = ['/opt/Hush/hush', ...args]
    const { HushCore } = await import('./core/host')
    const stop = vi.spyOn(HushCore.prototype, 'stop')
    const start = vi.spyOn(HushCore.prototype, 'start')
    await import('./index')
    if (options.ready ?? true) await becomeReady()
    cleanups.push(async () => {
      if (electron.app.exitCode !== null) return
      electron.app.quit()
      await vi.waitFor(() => expect(electron.app.exitCode).not.toBeNull(), { timeout: 20_000 })
    })
    return { start, stop }
  }

  it('uses the --profile folder as userData, registers the scheme before ready and serves the app page', async () => {
    await launch([`--profile=${dir}`, '--p2p-listen=127.0.0.1:0'], { ready: false })
    expect(electron.app.getPath('userData')).toBe(dir)
    expect(electron.protocol.privileged.map((entry) => entry.scheme)).toEqual(['hush'])
    await becomeReady()
    expect(electron.BrowserWindow.windows).toHaveLength(1)
    const [window] = electron.BrowserWindow.windows
    expect(window?.loaded).toEqual(['hush://app/index.html'])
    expect(electron.protocol.isProtocolHandled('hush')).toBe(true)
    expect(existsSync(join(dir, 'hush.lock'))).toBe(true)
  })

  it('answers an IPC call from the window at its production URL (regression: opaque hush:// origin)', async () => {
    await launch([`--user-data-dir=${dir}`])
    const window = electron.BrowserWindow.windows[0]!
    const answer = await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})
    expect(answer).toMatchObject({ ok: true, value: { name: 'Hush', runtime: 'electron', profile: dir } })
    expect(await window.webContents.invokeFrom(window.webContents.addFrame('hush://app/index.html'), CALL_CHANNEL, 'app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' }
    })
  })

  it('accepts the profile as a separate argument too', async () => {
    await launch(['--user-data-dir', dir])
    expect(electron.app.getPath('userData')).toBe(dir)
  })

  it('quits at once, starting nothing, when another instance holds the same profile', async () => {
    cleanups.push(holdInstanceLock(dir))
    const { start } = await launch([`--profile=${dir}`], { ready: false })
    expect(electron.app.exitCode).toBe(0)
    electron.app.becomeReady()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(start).not.toHaveBeenCalled()
    expect(electron.BrowserWindow.windows).toHaveLength(0)
    expect(electron.protocol.isProtocolHandled('hush')).toBe(false)
  })

  it('runs beside an instance that holds another profile', async () => {
    cleanups.push(holdInstanceLock(join(dir, 'other')))
    await launch([`--profile=${dir}`])
    expect(electron.BrowserWindow.windows).toHaveLength(1)
  })

  it('brings its window back when a second launch on the same profile is refused', async () => {
    await launch([`--profile=${dir}`])
    const window = electron.BrowserWindow.windows[0]!
    window.minimize()
    electron.app.emit('second-instance', { preventDefault() {} }, [], dir)
    expect(window.isMinimized()).toBe(false)
    expect(window.isFocused()).toBe(true)
  })

  it('on quit stops the core before letting the app exit', async () => {
    const { stop } = await launch([`--profile=${dir}`])
    electron.app.quit()
    // The first will-quit is held back while the core stops.
    expect(electron.app.exitCode).toBeNull()
    expect(stop).toHaveBeenCalledTimes(1)
    await stop.mock.results[0]?.value
    await vi.waitFor(() => expect(electron.app.exitCode).toBe(0))
    expect(existsSync(join(dir, 'hush.lock'))).toBe(false)
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('quits when its window is closed', async () => {
    const { stop } = await launch([`--profile=${dir}`])
    electron.BrowserWindow.windows[0]!.destroy()
    await vi.waitFor(() => expect(electron.app.exitCode).toBe(0))
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('says why and exits with 1 when the core cannot start', async () => {
    // The profile is open in another live process (our parent stands in for it).
    writeFileSync(join(dir, 'hush.lock'), String(process.ppid))
    await launch([`--profile=${dir}`])
    expect(electron.dialog.errors).toEqual([{ title: 'Hush could not start', content: expect.stringContaining('already open in another Hush process') }])
    expect(electron.app.exitCode).toBe(1)
    expect(electron.BrowserWindow.windows).toHaveLength(0)
  })

  it('installs a menu without reload or developer tools in a release', async () => {
    electron.app.isPackaged = true
    await launch([`--profile=${dir}`])
    const roles = JSON.stringify(electron.Menu.getApplicationMenu()?.template)
    expect(roles).toContain('editMenu')
    expect(roles).not.toMatch(/reload|toggleDevTools/i)
  })

  describe('ELECTRON_RENDERER_URL', () => {
    beforeEach(() => {
      vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173')
    })

    it('is the page of a development build run unpackaged', async () => {
      await launch([`--profile=${dir}`])
      const window = electron.BrowserWindow.windows[0]!
      expect(window.loaded).toEqual(['http://localhost:5173'])
      expect(await window.webContents.invoke(CALL_CHANNEL, 'app.info', {})).toMatchObject({ ok: true })
      expect(JSON.stringify(electron.Menu.getApplicationMenu()?.template)).toContain('toggleDevTools')
    })

    it('is ignored by a release build', async () => {
      vi.stubEnv('DEV', false)
      await launch([`--profile=${dir}`])
      const window = electron.BrowserWindow.windows[0]!
      expect(window.loaded).toEqual(['hush://app/index.html'])
      // The dev server could not reach the API even by navigating there.
      expect(window.webContents.navigate('http://localhost:5173/')).toBe(false)
    })

    it('is ignored by a packaged app', async () => {
      electron.app.isPackaged = true
      await launch([`--profile=${dir}`])
      expect(electron.BrowserWindow.windows[0]!.loaded).toEqual(['hush://app/index.html'])
    })
  })
})
