import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { HushCore } from '../core/host'
import { createLogger, type LogRecord, silentLogger } from '../core/log/logger'
import { FakeNetwork } from '../core/testing/fake-network'
import { REQUEST_LOG_LIMIT, type RunningWebServer, startWebServer } from './web-server'

describe('web host', () => {
  let dir: string
  let core: HushCore
  let server: RunningWebServer

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-web-'))
    const renderer = join(dir, 'renderer')
    const profile = join(dir, 'profile')
    await import('node:fs/promises').then((fs) => fs.mkdir(renderer))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(dir, 'secret.txt'), 'outside')
    core = new HushCore({ profileDir: profile, runtime: 'web', version: '1.0.0', log: silentLogger, network: new FakeNetwork() })
    await core.start()
    server = await startWebServer({ core, rendererDir: renderer, log: silentLogger })
  })

  afterAll(async () => {
    await server.close()
    await core.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const apiUrl = (token: string | null): string =>
    `${server.origin.replace('http', 'ws')}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`

  /** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
  const tryConnect = (url: string, origin?: string): Promise<number> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, origin ? { origin } : {})
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      ws.on('error', () => resolve(-1))
    })

  it('binds to loopback and prints a URL carrying the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/)
  })

  it('refuses an API connection without the token, or with a wrong one', async () => {
    expect(await tryConnect(apiUrl(null), server.origin)).toBe(401)
    expect(await tryConnect(apiUrl('wrong'), server.origin)).toBe(401)
    // One character off: the last one changed to another (a fixed 'x' would be the real token when it ends in x).
    const last = server.token.slice(-1)
    expect(await tryConnect(apiUrl(`${server.token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`), server.origin)).toBe(401)
  })

  it('refuses requests from other origins, even with the token', async () => {
    expect(await tryConnect(apiUrl(server.token), 'http://evil.example')).toBe(403)
    expect(await tryConnect(apiUrl(server.token))).toBe(403)
  })

  it('serves calls to a same-origin page with the token', async () => {
    const ws = new WebSocket(apiUrl(server.token), { origin: server.origin })
    await new Promise((resolve) => ws.on('open', resolve))
    const reply = new Promise<unknown>((resolve) => ws.on('message', (data) => resolve(JSON.parse(String(data)))))
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'app.info', args: {} }))
    expect(await reply).toMatchObject({ type: 'result', id: 1, result: { ok: true, value: { runtime: 'web' } } })
    ws.close()
  })

  it('closes a connection that sends a malformed frame', async () => {
    const ws = new WebSocket(apiUrl(server.token), { origin: server.origin })
    await new Promise((resolve) => ws.on('open', resolve))
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.send('{not json')
    expect(await closed).toBe(1003)
  })

  it('serves the renderer with a strict CSP and never a file outside its folder', async () => {
    const page = await fetch(`${server.origin}/`)
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    const escape = await fetch(`${server.origin}/..%2fsecret.txt`)
    expect([403, 404]).toContain(escape.status)
    expect(await escape.text()).not.toContain('outside')
  })
})

describe('web host logging under a flood of unauthenticated requests', () => {
  it('writes a few lines per kind, however many requests are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-web-log-'))
    const renderer = join(dir, 'renderer')
    await import('node:fs/promises').then((fs) => fs.mkdir(renderer))
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>')
    const records: LogRecord[] = []
    const log = createLogger('web', { sinks: [(record) => records.push(record)] })
    const core = new HushCore({ profileDir: join(dir, 'profile'), runtime: 'web', version: '1.0.0', log: silentLogger, network: new FakeNetwork() })
    await core.start()
    const server = await startWebServer({ core, rendererDir: renderer, log })
    try {
      const refused = (path: string) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`${server.origin.replace('http', 'ws')}${path}`, { origin: server.origin })
          ws.on('unexpected-response', () => resolve())
          ws.on('error', () => resolve())
        })
      for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 20 }, (_, n) => refused(n % 2 ? '/api?token=wrong' : '/elsewhere')))
      expect(records.filter((record) => record.message === 'refused API connection')).toHaveLength(REQUEST_LOG_LIMIT.burst)
    } finally {
      await server.close()
      await core.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
