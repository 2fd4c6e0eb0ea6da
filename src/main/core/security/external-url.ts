/**
 * Decides whether a link from message text may be handed to the system browser. Only http(s) with a host,
 * no credentials, and re-serialised by the URL parser so what opens is exactly what was checked.
 */
export function safeExternalUrl(input: string): string | null {
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (!url.hostname || url.username || url.password) return null
  return url.toString()
}
