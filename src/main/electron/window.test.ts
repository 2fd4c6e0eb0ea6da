import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type FakeElectron, installFakeElectron } from '../../../test/support/fake-electron'

describe('the main window', () => {
  let electron: FakeElectron
  let window: typeof import('./window')

  beforeEach(async () => {
    electron = installFakeElectron()
    window = await import('./window')
  })

  afterEach(() => {
    vi.doUnmock('electron')
  })

  it('is sandboxed and isolated, with no Node, no webview and the built preload', () => {
    const created = window.createMainWindow({})
    expect(created).toBe(electron.BrowserWindow.windows[0])
    const preferences = electron.BrowserWindow.windows[0]?.options.webPreferences
    expect(preferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick'
    })
    expect(preferences?.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/)
    expect(Object.keys(preferences ?? {})).not.toContain('enableBlinkFeatures')
    expect(Object.keys(preferences ?? {})).not.toContain('experimentalFeatures')
  })

  it('loads the production page from hush://app and shows itself once ready', async () => {
    window.createMainWindow({})
    const created = electron.BrowserWindow.windows[0]
    expect(created?.loaded).toEqual(['hush://app/index.html'])
    expect(created?.isVisible()).toBe(false)
    await Promise.resolve()
    expect(created?.isVisible()).toBe(true)
  })

  it('loads the dev server page when given one', () => {
    window.createMainWindow({ devServerUrl: 'http://localhost:5173' })
    expect(electron.BrowserWindow.windows[0]?.loaded).toEqual(['http://localhost:5173'])
  })

  it('stays on the app page: navigation and redirects elsewhere are cancelled', () => {
    window.createMainWindow({})
    const contents = electron.BrowserWindow.windows[0]!.webContents
    for (const url of ['https://example.org/', 'hush://evil/index.html', 'file:///etc/passwd', 'data:text/html,<script>1</script>', 'javascript:alert(1)', '::not a url']) {
      expect(contents.navigate(url), url).toBe(false)
      expect(contents.redirect(url), url).toBe(false)
    }
    expect(contents.getURL()).toBe('hush://app/index.html')
    expect(contents.navigate('hush://app/index.html#/settings')).toBe(true)
  })

  it('in development stays on the dev server, and hush:// is not its page', () => {
    window.createMainWindow({ devServerUrl: 'http://localhost:5173/' })
    const contents = electron.BrowserWindow.windows[0]!.webContents
    expect(contents.navigate('http://localhost:5173/index.html')).toBe(true)
    expect(contents.navigate('hush://app/index.html')).toBe(false)
    expect(contents.navigate('http://localhost:9999/')).toBe(false)
  })

  it('denies every new window, handing only validated http(s) links to the system browser', () => {
    window.createMainWindow({})
    const contents = electron.BrowserWindow.windows[0]!.webContents
    const urls = [
      'https://example.org/a?b=1',
      'http://example.org/',
      ' https://example.org/trimmed',
      'https://user:pw@example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'hush://app/index.html',
      'smb://host/share',
      'data:text/html,x',
      'not a url'
    ]
    for (const url of urls) expect(contents.openWindow(url), url).toEqual({ action: 'deny' })
    expect(electron.shell.opened).toEqual(['https://example.org/a?b=1', 'http://example.org/', 'https://example.org/trimmed'])
  })

  it('refuses to attach a webview', () => {
    window.createMainWindow({})
    expect(electron.BrowserWindow.windows[0]!.webContents.attachWebview('https://example.org/')).toBe(true)
  })
})

describe('permissions', () => {
  let electron: FakeElectron

  beforeEach(async () => {
    electron = installFakeElectron()
  })

  afterEach(() => {
    vi.doUnmock('electron')
  })

  async function setUp(devServerUrl?: string) {
    const { createMainWindow, restrictPermissions } = await import('./window')
    restrictPermissions(devServerUrl)
    createMainWindow({ devServerUrl })
    return { session: electron.session.defaultSession, contents: electron.BrowserWindow.windows[0]!.webContents }
  }

  const camera = (requestingUrl: string, isMainFrame = true) => ({ requestingUrl, isMainFrame, mediaTypes: ['video' as const] })

  it('grants the camera to the app page at its production URL (regression: hush://app has an opaque URL#origin)', async () => {
    const { session, contents } = await setUp()
    expect(await session.requestPermission(contents, 'media', camera('hush://app/index.html'))).toBe(true)
    expect(session.checkPermission(contents, 'media', 'hush://app', { isMainFrame: true, mediaType: 'video', requestingUrl: 'hush://app/index.html' })).toBe(true)
  })

  it('never grants the microphone, another origin, an iframe, or any other permission', async () => {
    const { session, contents } = await setUp()
    expect(await session.requestPermission(contents, 'media', { requestingUrl: 'hush://app/index.html', isMainFrame: true, mediaTypes: ['video', 'audio'] })).toBe(false)
    expect(await session.requestPermission(contents, 'media', { requestingUrl: 'hush://app/index.html', isMainFrame: true, mediaTypes: ['audio'] })).toBe(false)
    expect(await session.requestPermission(contents, 'media', { requestingUrl: 'hush://app/index.html', isMainFrame: true, mediaTypes: [] })).toBe(false)
    expect(await session.requestPermission(contents, 'media', camera('https://evil.example/'))).toBe(false)
    expect(await session.requestPermission(contents, 'media', camera('hush://evil/index.html'))).toBe(false)
    expect(await session.requestPermission(contents, 'media', camera('hush://app/index.html', false))).toBe(false)
    for (const permission of ['notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'midi'] as const) {
      expect(await session.requestPermission(contents, permission, { requestingUrl: 'hush://app/index.html', isMainFrame: true }), permission).toBe(false)
    }
    expect(session.checkPermission(contents, 'media', 'hush://app', { isMainFrame: true, mediaType: 'audio' })).toBe(false)
    expect(session.checkPermission(contents, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'video' })).toBe(false)
    expect(session.checkPermission(contents, 'media', 'hush://app', { isMainFrame: false, mediaType: 'video' })).toBe(false)
    expect(session.checkPermission(contents, 'clipboard-read', 'hush://app', { isMainFrame: true })).toBe(false)
  })

  it('in development grants the camera to the dev server page only', async () => {
    const { session, contents } = await setUp('http://localhost:5173')
    expect(await session.requestPermission(contents, 'media', camera('http://localhost:5173/index.html'))).toBe(true)
    expect(await session.requestPermission(contents, 'media', camera('hush://app/index.html'))).toBe(false)
    expect(session.checkPermission(contents, 'media', 'http://localhost:5173', { isMainFrame: true, mediaType: 'video' })).toBe(true)
  })
})
