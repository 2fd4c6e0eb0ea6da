import type { HushBridge } from '../../../shared/api/contract'
import { failure } from '../../../shared/api/result'
import { type ClientFrame, ServerFrame, WS_API_PATH } from '../../../shared/api/wire'

/**
 * `window.hush` for a page served by the web host: the same two functions as the Electron preload, over
 * the host's authenticated WebSocket. The token comes from the URL fragment the host printed (fragments
 * are never sent to the server or into logs). When the socket drops, calls in flight fail at once with
 * UNAVAILABLE and the bridge reconnects with backoff; event listeners survive reconnection.
 */
export function connectWebBridge(location: Location, onConnection: (connected: boolean) => void): HushBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_API_PATH}?token=${encodeURIComponent(token)}`
  const pending = new Map<number, (result: unknown) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let retryMs = 250

  const open = (): void => {
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      onConnection(true)
      for (const frame of queue.splice(0)) ws.send(frame)
    }
    ws.onmessage = (message) => {
      const parsed = ServerFrame.safeParse(safeJson(String(message.data)))
      if (!parsed.success) return
      const frame = parsed.data
      if (frame.type === 'result') {
        pending.get(frame.id)?.(frame.result)
        pending.delete(frame.id)
      } else {
        for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload)
      }
    }
    ws.onclose = () => {
      onConnection(false)
      for (const resolve of pending.values()) resolve(failure('UNAVAILABLE', 'The connection to the Hush host was lost'))
      pending.clear()
      queue.length = 0
      setTimeout(open, retryMs)
      retryMs = Math.min(retryMs * 2, 5_000)
    }
  }
  open()

  return {
    call(method, args) {
      const id = nextId++
      const frame: ClientFrame = { type: 'call', id, method, args }
      const text = JSON.stringify(frame)
      return new Promise((resolve) => {
        pending.set(id, resolve)
        if (socket?.readyState === WebSocket.OPEN) socket.send(text)
        else queue.push(text)
      })
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => set.delete(listener)
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
