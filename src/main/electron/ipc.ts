import { type BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { failure } from '../../shared/api'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/api/ipc-channels'
import type { HushCore } from '../core/host'
import { isAppFrameUrl } from './window'

/**
 * Serves the API over IPC through the same dispatch as every other transport. A call is answered only
 * when it comes from the main frame of our own app page; anything else (an iframe, a navigated page)
 * gets an error without touching a handler.
 */
export function serveIpc(core: HushCore, getWindow: () => BrowserWindow | null, devServerUrl?: string): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    const frame = event.senderFrame
    if (!frame || frame.parent !== null || !isAppFrameUrl(frame.url, devServerUrl)) {
      return failure('BAD_REQUEST', 'Calls are accepted only from the Hush window')
    }
    return core.dispatch(method, args, { transport: 'ipc' })
  })
  const unsubscribe = core.events.subscribe((name, payload) => {
    const window = getWindow()
    if (window && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload)
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(CALL_CHANNEL)
  }
}
