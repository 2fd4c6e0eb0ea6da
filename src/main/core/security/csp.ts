/**
 * The renderer's Content-Security-Policy, shared by the Electron protocol handler and the web host so both
 * serve the same rules: no inline or eval'd script, no network beyond our own API socket, and blob: workers
 * only because the QR scanner starts its worker that way.
 */
export function contentSecurityPolicy(options: { connect: string[] } = { connect: [] }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...options.connect],
    'worker-src': ["'self'", 'blob:'],
    'media-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"]
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ')
}
