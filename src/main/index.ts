import { join } from 'node:path'
import { app, type BrowserWindow, dialog, shell } from 'electron'
import { version } from '../../package.json'
import { HushCore } from './core/host'
import { consoleSink, createLogger, fileSink } from './core/log/logger'
import { createNetwork } from './core/network'
import { createProfileDir, resolveProfileDir } from './core/profile'
import { registerAppScheme, serveRenderer } from './electron/app-protocol'
import { serveIpc } from './electron/ipc'
import { flagValue, listFlag } from './electron/main-args'
import { installMenu } from './electron/menu'
import { createMainWindow, restrictPermissions } from './electron/window'

const profileDir = resolveProfileDir(flagValue(process.argv, 'user-data-dir', 'profile'))
createProfileDir(profileDir)
// Electron's single-instance lock is scoped to userData, so pointing it at the profile gives one lock
// per profile: a second launch on the same profile focuses the first, another profile runs beside it.
app.setPath('userData', profileDir)
registerAppScheme()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let window: BrowserWindow | null = null
  // Only a development build (electron-vite dev) may load its page from a dev server: in a release build
  // this is the constant `false`, so the environment variable is never read and the page is always ours.
  const development = import.meta.env.DEV && !app.isPackaged
  const devServerUrl = development ? process.env.ELECTRON_RENDERER_URL : undefined
  const log = createLogger('main', { sinks: [fileSink(join(profileDir, 'logs', 'hush.log')), consoleSink()] })
  const staticPeers = listFlag(process.argv, 'static')
  const bootnodes = listFlag(process.argv, 'bootnodes')
  const core = new HushCore({
    profileDir,
    runtime: 'electron',
    version,
    log,
    network: createNetwork(
      {
        listen: flagValue(process.argv, 'p2p-listen') ?? '127.0.0.1:0',
        staticPeers,
        bootnodes
      },
      log.child('network')
    ),
    defaultNetwork: { staticPeers, bootnodes, mailservers: listFlag(process.argv, 'mailservers') },
    openExternal: (url) => shell.openExternal(url)
  })

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore()
    window?.focus()
  })

  app
    .whenReady()
    .then(async () => {
      installMenu(process.platform, development)
      restrictPermissions(devServerUrl)
      serveRenderer(join(import.meta.dirname, '../renderer'))
      await core.start()
      serveIpc(core, () => window, devServerUrl)
      window = createMainWindow({ devServerUrl })
      app.on('activate', () => {
        if (!window || window.isDestroyed()) window = createMainWindow({ devServerUrl })
      })
    })
    .catch((error: unknown) => {
      log.error('Hush could not start', { error })
      dialog.showErrorBox('Hush could not start', error instanceof Error ? error.message : String(error))
      app.exit(1)
    })

  app.on('window-all-closed', () => app.quit())
  let stopped = false
  app.on('will-quit', (event) => {
    if (stopped) return
    event.preventDefault()
    core
      .stop()
      .catch((error: unknown) => log.error('Hush did not stop cleanly', { error }))
      .finally(() => {
        stopped = true
        app.quit()
      })
  })
}
