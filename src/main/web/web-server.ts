import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import { ClientFrame, MAX_FRAME_BYTES, type ServerFrame, WS_API_PATH } from '../../shared/api/wire'
import type { HushCore } from '../core/host'
import type { Logger } from '../core/log/logger'
import { rateLimited } from '../core/log/rate-limit'
import { contentSecurityPolicy } from '../core/security/csp'
import { createStaticHandler } from './static-server'

export interface WebServerOptions {
  core: HushCore
  rendererDir: string
  log: Logger
  host?: string
  port?: number
  /** Fixed token for tests; a fresh random one per run otherwise. */
  token?: string
}

export interface RunningWebServer {
  url: string
  origin: string
  token: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
/** Lines that any local process can cause by knocking: a few per minute of each kind. */
export const REQUEST_LOG_LIMIT = { burst: 5, windowMs: 60_000 }

/**
 * Serves the renderer and the API to a browser on this machine only. The API socket demands the per-run
 * token and a same-origin page: another site open in the same browser, or another local user who cannot
 * read our stdout, gets a 401/403 before any handler runs. The Host header is checked too, which defeats
 * DNS rebinding.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) throw new Error(`The web host binds to loopback only, not ${host}`)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const log = rateLimited(options.log, REQUEST_LOG_LIMIT)
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  let origin = ''
  const serveStatic = createStaticHandler(options.rendererDir, {})
  const server: Server = createServer((request, response) => {
    const csp = contentSecurityPolicy({ connect: [origin.replace(/^http/, 'ws')] })
    response.setHeader('Content-Security-Policy', csp)
    response.setHeader('X-Frame-Options', 'DENY')
    serveStatic(request, response).catch((error: unknown) => {
      log.error('static file failed', { error })
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(request, origin, token)
    if (refusal) {
      log.warn('refused API connection', { reason: refusal.reason })
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveConnection(ws, options.core, log))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function checkUpgrade(request: IncomingMessage, origin: string, token: string): { status: number; reason: string } | null {
  const url = new URL(request.url ?? '/', origin)
  if (url.pathname !== WS_API_PATH) return { status: 404, reason: 'Not Found' }
  const given = Buffer.from(url.searchParams.get('token') ?? '')
  const expected = Buffer.from(token)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 401, reason: 'Unauthorized' }
  if (request.headers.origin !== origin) return { status: 403, reason: 'Forbidden' }
  if (request.headers.host !== new URL(origin).host) return { status: 403, reason: 'Forbidden' }
  return null
}

function serveConnection(ws: WebSocket, core: HushCore, log: Logger): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame))
  }
  const unsubscribe = core.events.subscribe((event, payload) => send({ type: 'event', event, payload }))
  ws.on('message', (data, isBinary) => {
    let frame: ClientFrame
    try {
      if (isBinary) throw new Error('binary frame')
      frame = ClientFrame.parse(JSON.parse(String(data)))
    } catch {
      log.warn('malformed API frame; closing the connection')
      ws.close(1003, 'malformed frame')
      return
    }
    core.dispatch(frame.method, frame.args, { transport: 'websocket' }).then((result) =>
      send({ type: 'result', id: frame.id, result })
    )
  })
  ws.on('close', unsubscribe)
  ws.on('error', (error) => log.warn('API socket error', { error }))
}
