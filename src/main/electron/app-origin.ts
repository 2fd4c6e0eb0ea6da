export const APP_SCHEME = 'hush'
export const APP_HOST = 'app'
/** The page the window loads in production: the built renderer served by the hush:// protocol handler. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * Whether a URL (or a serialised origin such as a permission check's `hush://app`) belongs to our own page:
 * the production page, or the dev server's when one is given.
 *
 * Scheme and host are compared, not `URL#origin`: `hush:` is not one of WHATWG's special schemes, so in
 * Node (and Electron's main process) `new URL('hush://app/').origin` is the opaque `"null"`, which would
 * match nothing, or worse, every other opaque origin.
 */
export function isAppFrameUrl(url: string, devServerUrl?: string): boolean {
  const expected = new URL(devServerUrl ?? APP_PAGE_URL)
  let actual: URL
  try {
    actual = new URL(url)
  } catch {
    return false
  }
  return actual.protocol === expected.protocol && actual.host === expected.host && !actual.username && !actual.password
}
