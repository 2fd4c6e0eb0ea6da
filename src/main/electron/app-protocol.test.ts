import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type FakeElectron, installFakeElectron } from '../../../test/support/fake-electron'

describe('the hush:// protocol', () => {
  let dir: string
  let renderer: string
  let electron: FakeElectron

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hush-protocol-'))
    renderer = join(dir, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Hush</title>')
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(renderer, 'assets', 'with space.css'), 'body{}')
    writeFileSync(join(dir, 'secret.txt'), 'outside')
    mkdirSync(join(dir, 'renderer-evil'))
    writeFileSync(join(dir, 'renderer-evil', 'x.js'), 'sibling')
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  afterEach(() => {
    vi.doUnmock('electron')
  })

  async function serve(): Promise<FakeElectron> {
    electron = installFakeElectron({ ready: false })
    const { registerAppScheme, serveRenderer } = await import('./app-protocol')
    registerAppScheme()
    electron.app.becomeReady()
    serveRenderer(renderer)
    return electron
  }

  it('is registered before ready as a standard, secure scheme, so the page gets the real origin hush://app', async () => {
    await serve()
    expect(electron.protocol.privileged).toEqual([{ scheme: 'hush', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    const contents = new electron.BrowserWindow({}).webContents
    contents.mainFrame.url = 'hush://app/index.html'
    expect(contents.mainFrame.origin).toBe('hush://app')
  })

  it('serves the built renderer with its content type, CSP and nosniff', async () => {
    await serve()
    for (const url of ['hush://app/', 'hush://app/index.html']) {
      const response = await electron.protocol.request(url)
      expect(response.status, url).toBe(200)
      expect(await response.text()).toContain('<title>Hush</title>')
      expect(response.headers.get('content-type')).toBe('text/html')
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
    const script = await electron.protocol.request('hush://app/assets/app.js')
    expect(script.headers.get('content-type')).toBe('text/javascript')
    expect(await script.text()).toBe('console.log(1)')
    expect((await electron.protocol.request('hush://app/assets/with%20space.css')).status).toBe(200)
  })

  it('refuses every way out of the renderer folder, encoded variants included', async () => {
    await serve()
    const attempts = [
      'hush://app/../secret.txt',
      'hush://app/assets/../../secret.txt',
      'hush://app/%2e%2e/secret.txt',
      'hush://app/%2E%2E/secret.txt',
      'hush://app/.%2e/secret.txt',
      'hush://app/..%2fsecret.txt',
      'hush://app/..%2Fsecret.txt',
      'hush://app/assets%2f..%2f..%2fsecret.txt',
      'hush://app/%252e%252e%252fsecret.txt',
      'hush://app/..%5csecret.txt',
      'hush://app/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      'hush://app/%2fetc%2fpasswd',
      'hush://app/..%2frenderer-evil%2fx.js',
      'hush://app/secret.txt%00.html',
      'hush://app/%E0%A4%A',
      'hush://app/%'
    ]
    for (const url of attempts) {
      const response = await electron.protocol.request(url)
      expect([400, 403, 404], url).toContain(response.status)
      const body = await response.text()
      expect(body, url).not.toContain('outside')
      expect(body, url).not.toContain('sibling')
      expect(body, url).not.toContain('root:')
    }
    expect((await electron.protocol.request('hush://app/..%2fsecret.txt')).status).toBe(403)
    expect((await electron.protocol.request('hush://app/%E0%A4%A')).status).toBe(400)
  })

  it('serves only the app host, and answers a missing file with 404', async () => {
    await serve()
    expect((await electron.protocol.request('hush://evil/index.html')).status).toBe(404)
    expect((await electron.protocol.request('hush://app/missing.js')).status).toBe(404)
    expect((await electron.protocol.request('hush://app/assets')).status).toBe(404)
  })

  it('serves the built renderer (out/renderer): every file it holds, with a real content type', async () => {
    const built = resolve(import.meta.dirname, '../../../out/renderer')
    if (!existsSync(join(built, 'index.html'))) throw new Error(`${built} is missing: run \`npx electron-vite build\` first`)
    electron = installFakeElectron({ ready: false })
    const { registerAppScheme, serveRenderer } = await import('./app-protocol')
    registerAppScheme()
    electron.app.becomeReady()
    serveRenderer(built)
    const page = await (await electron.protocol.request('hush://app/index.html')).text()
    const referenced = [...page.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1])
    expect(referenced.length).toBeGreaterThan(0)
    const files = readdirSync(built, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(built.length + 1).split('\\').join('/'))
    expect(files).toEqual(expect.arrayContaining(referenced))
    for (const file of files) {
      const response = await electron.protocol.request(`hush://app/${file}`)
      expect(response.status, file).toBe(200)
      expect(response.headers.get('content-type'), file).not.toBe('application/octet-stream')
    }
  })

  it('refuses to register the scheme after ready, as Electron does', async () => {
    electron = installFakeElectron()
    const { registerAppScheme } = await import('./app-protocol')
    expect(() => registerAppScheme()).toThrow(/before app is ready/)
  })
})
