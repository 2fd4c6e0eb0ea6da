import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { HushBridge } from '../shared/api/contract'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../shared/api/ipc-channels'

/**
 * The whole surface the page gets: one call function and one event subscription, never ipcRenderer
 * itself. Validation happens in main (arguments) and in the renderer's typed client (results).
 */
const bridge: HushBridge = {
  call: (method, args) => ipcRenderer.invoke(CALL_CHANNEL, String(method), args),
  on: (event, listener) => {
    const handler = (_: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler)
  }
}

contextBridge.exposeInMainWorld('hush', bridge)
