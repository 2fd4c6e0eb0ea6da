import type { HushBridge } from '../../../shared/api/contract'
import { failure } from '../../../shared/api/result'
import { type ClientFrame, ServerFrame, WS_API_PATH } from '../../../shared/api/wire'

/** The page's link to its host: up, lost (retrying), or refused because the host runs with a new token. */
export type Connection = 'connected' | 'reconnecting' | 'token-rejected'

/** What the bridge uses of the browser; tests give their own. */
export interface BridgeEnvironment {
  history: Pick<History, 'replaceState' | 'state'>
  /** Per tab: keeps the token across a reload once it is gone from the address bar. */
  storage: Pick<Storage, 'getItem' | 'setItem'>
  WebSocket: typeof WebSocket
  /** Whether the host answers plain HTTP now. */
  hostAnswers(): Promise<boolean>
}

const TOKEN_KEY = 'hush-web-token'

function browserEnvironment(location: Location): BridgeEnvironment {
  return {
    history: window.history,
    storage: window.sessionStorage,
    WebSocket: window.WebSocket,
    hostAnswers: () => fetch(`${location.origin}/`, { cache: 'no-store' }).then((response) => response.ok, () => false)
  }
}

/**
 * The token from the URL fragment the host printed (fragments are never sent to the server or into logs),
 * then taken out of the address bar and the history entry, so it is not shown, bookmarked or synced;
 * it stays in this tab's session storage for a reload.
 */
export function takeToken(location: Location, env: Pick<BridgeEnvironment, 'history' | 'storage'>): string {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromUrl) {
    env.storage.setItem(TOKEN_KEY, fromUrl)
    env.history.replaceState(env.history.state, '', `${location.pathname}${location.search}`)
    return fromUrl
  }
  return env.storage.getItem(TOKEN_KEY) ?? ''
}

/**
 * `window.hush` for a page served by the web host: the same two functions as the Electron preload, over
 * the host's authenticated WebSocket. When the socket drops, calls in flight fail at once with
 * UNAVAILABLE and the bridge reconnects with backoff; event listeners survive reconnection. A socket
 * refused while the host answers HTTP means the host restarted with a new token: retrying cannot help,
 * so the bridge stops and says so.
 */
export function connectWebBridge(location: Location, onConnection: (state: Connection) => void, env = browserEnvironment(location)): HushBridge {
  const token = takeToken(location, env)
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_API_PATH}?token=${encodeURIComponent(token)}`
  const pending = new Map<number, (result: unknown) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let retryMs = 250

  const open = (): void => {
    const ws = new env.WebSocket(url)
    let opened = false
    socket = ws
    ws.onopen = () => {
      opened = true
      retryMs = 250
      onConnection('connected')
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
      for (const resolve of pending.values()) resolve(failure('UNAVAILABLE', 'The connection to the Hush host was lost'))
      pending.clear()
      queue.length = 0
      const retry = () => {
        onConnection('reconnecting')
        setTimeout(open, retryMs)
        retryMs = Math.min(retryMs * 2, 5_000)
      }
      if (opened) return retry()
      void env.hostAnswers().then((answers) => (answers ? onConnection('token-rejected') : retry()))
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
        if (socket?.readyState === env.WebSocket.OPEN) socket.send(text)
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
