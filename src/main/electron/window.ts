import { join } from 'node:path'
import { BrowserWindow, session, shell } from 'electron'
import { safeExternalUrl } from '../core/security/external-url'
import { APP_PAGE_URL, isAppFrameUrl } from './app-origin'

/**
 * The one place windows are made, with least privilege: sandboxed, isolated, no Node in the page,
 * no navigation away from the app, no new windows (http/https links go to the system browser after
 * validation), and every permission request denied but the camera for our own pages.
 */
export function createMainWindow(options: { devServerUrl?: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Hush',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A middle click would open a link as a new window; links go through setWindowOpenHandler instead.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: true
    }
  })
  const { devServerUrl } = options
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppFrameUrl(url, devServerUrl)) event.preventDefault()
  })
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAppFrameUrl(url, devServerUrl)) event.preventDefault()
  })
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    const safe = safeExternalUrl(url)
    if (safe) void shell.openExternal(safe)
    return { action: 'deny' }
  })
  window.once('ready-to-show', () => window.show())
  void window.loadURL(devServerUrl ?? APP_PAGE_URL)
  return window
}

/**
 * Every permission is denied except the camera for our own page's main frame, which the contact
 * verification screen uses to scan the other person's QR code: 'media' with video only (never the
 * microphone, never for another origin or an embedded frame).
 */
export function restrictPermissions(devServerUrl?: string): void {
  const ours = (url: string | undefined) => url !== undefined && isAppFrameUrl(url, devServerUrl)
  session.defaultSession.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : []
    callback(
      permission === 'media' &&
        details.isMainFrame &&
        ours(details.requestingUrl) &&
        mediaTypes.length > 0 &&
        mediaTypes.every((type) => type === 'video')
    )
  })
  session.defaultSession.setPermissionCheckHandler(
    (_webContents, permission, requestingOrigin, details) =>
      permission === 'media' && details.isMainFrame && ours(requestingOrigin) && details.mediaType === 'video'
  )
}
