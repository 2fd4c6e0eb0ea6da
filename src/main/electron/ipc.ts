import { type BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { failure } from '../../shared/api'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/api/ipc-channels'
import type { HushCore } from '../core/host'
import { isAppFrameUrl } from './app-origin'

/**
 * Serves the API over IPC through the same dispatch as every other transport. A call is answered only
 * when it comes from the main frame of our own window showing our own page; anything else (another
 * window, an iframe, a page navigated elsewhere) gets an error without touching a handler.
 */
export function serveIpc(core: HushCore, getWindow: () => BrowserWindow | null, devServerUrl?: string): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    const window = getWindow()
    const frame = event.senderFrame
    const fromOurWindow = window !== null && !window.isDestroyed() && event.sender === window.webContents
    if (!fromOurWindow || !frame || frame.parent !== null || !isAppFrameUrl(frame.url, devServerUrl)) {
      return failure('BAD_REQUEST', 'Calls are accepted only from the Hush window')
    }
    return core.dispatch(method, args, { transport: 'ipc' })
  })
  const unsubscribe = core.events.subscribe((name, payload) => {
    const window = getWindow()
    // Events carry messages, so they go only to our own page, never to whatever else the window shows.
    if (window && !window.isDestroyed() && isAppFrameUrl(window.webContents.getURL(), devServerUrl)) {
      window.webContents.send(EVENT_CHANNEL, name, payload)
    }
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(CALL_CHANNEL)
  }
}
