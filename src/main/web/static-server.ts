import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8'
}

/**
 * Serves the built renderer read-only. Paths are resolved inside `root` and anything that would escape it is
 * refused; unknown paths fall back to index.html only for navigations (no extension), so a missing asset is
 * a clear 404 rather than HTML parsed as script.
 */
export function createStaticHandler(root: string, headers: Record<string, string>) {
  const base = normalize(root + sep)
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return
    }
    let pathname: string
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname)
    } catch {
      response.writeHead(400).end()
      return
    }
    const wanted = normalize(join(base, pathname))
    if (!wanted.startsWith(base) && wanted !== normalize(root)) {
      response.writeHead(403).end()
      return
    }
    const file = await resolveFile(wanted, extname(pathname) === '' ? join(base, 'index.html') : null)
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
      return
    }
    const body = await readFile(file)
    response.writeHead(200, {
      ...headers,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer'
    })
    response.end(request.method === 'HEAD' ? undefined : body)
  }
}

async function resolveFile(path: string, fallback: string | null): Promise<string | null> {
  for (const candidate of [path, fallback]) {
    if (!candidate) continue
    try {
      if ((await stat(candidate)).isFile()) return candidate
    } catch {
      // Try the next candidate.
    }
  }
  return null
}
