import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The browser keeps a page's storage (appearance, backup reminders; the history is main's) per origin, and
 * the origin includes the port. So a profile's web host comes back on the port it had last time.
 */
const FILE = 'web-host.json'

export function rememberedPort(profileDir: string): number {
  try {
    const { port } = JSON.parse(readFileSync(join(profileDir, FILE), 'utf8')) as { port?: unknown }
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 0
  } catch {
    return 0
  }
}

export function rememberPort(profileDir: string, port: number): void {
  writeFileSync(join(profileDir, FILE), `${JSON.stringify({ port })}\n`, { mode: 0o600 })
}
