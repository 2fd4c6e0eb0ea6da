import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type BridgeEnvironment, type Connection, connectWebBridge, takeToken } from './web-bridge'

/** A socket the test opens or refuses by hand. */
class FakeSocket {
  static readonly OPEN = 1
  static made: FakeSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((message: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  readonly sent: string[] = []
  constructor(readonly url: string) {
    FakeSocket.made.push(this)
  }
  send(text: string): void {
    this.sent.push(text)
  }
  accept(): void {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
  }
  drop(): void {
    this.readyState = 3
    this.onclose?.()
  }
}

function locationOf(href: string): Location {
  const url = new URL(href)
  return { href, origin: url.origin, protocol: url.protocol, host: url.host, pathname: url.pathname, search: url.search, hash: url.hash } as Location
}

function environment(hostAnswers: () => Promise<boolean>) {
  const stored = new Map<string, string>()
  const replaced: string[] = []
  const env: BridgeEnvironment = {
    history: { state: null, replaceState: (_state, _unused, url) => replaced.push(String(url)) },
    storage: { getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => stored.set(key, value) },
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    hostAnswers
  }
  return { env, replaced, stored }
}

beforeEach(() => {
  FakeSocket.made = []
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

describe('the web page’s access token', () => {
  it('is taken out of the address bar and history, and kept for a reload of this tab', () => {
    const { env, replaced } = environment(async () => true)
    expect(takeToken(locationOf('http://127.0.0.1:4000/?x=1#token=secret-1'), env)).toBe('secret-1')
    expect(replaced).toEqual(['/?x=1'])
    // The reloaded page has no fragment any more, and still connects.
    expect(takeToken(locationOf('http://127.0.0.1:4000/?x=1'), env)).toBe('secret-1')
    expect(replaced).toHaveLength(1)
  })

  it('a new URL with a new token wins over the stored one', () => {
    const { env } = environment(async () => true)
    takeToken(locationOf('http://127.0.0.1:4000/#token=old'), env)
    expect(takeToken(locationOf('http://127.0.0.1:4000/#token=new'), env)).toBe('new')
  })
})

describe('when the host restarts', () => {
  it('keeps retrying while the host is down, then tells the person to open the new URL instead of retrying forever', async () => {
    let up = false
    const { env } = environment(async () => up)
    const states: Connection[] = []
    connectWebBridge(locationOf('http://127.0.0.1:4000/#token=first-run'), (state) => states.push(state), env)
    expect(FakeSocket.made[0]?.url).toBe('ws://127.0.0.1:4000/api?token=first-run')
    FakeSocket.made[0]?.accept()
    // The host stops: the open socket drops, and reconnecting fails while nothing answers.
    FakeSocket.made[0]?.drop()
    for (let attempt = 1; attempt <= 3; attempt++) {
      await vi.advanceTimersByTimeAsync(10_000)
      FakeSocket.made[attempt]?.drop()
      await vi.advanceTimersByTimeAsync(0)
    }
    expect(states.at(-1)).toBe('reconnecting')
    // It comes back with a new token: the old one is refused while the host answers HTTP.
    up = true
    await vi.advanceTimersByTimeAsync(10_000)
    const made = FakeSocket.made.length
    FakeSocket.made.at(-1)?.drop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(states.at(-1)).toBe('token-rejected')
    expect(FakeSocket.made).toHaveLength(made)
  })

  it('fails calls in flight at once when the socket drops', async () => {
    const { env } = environment(async () => false)
    const bridge = connectWebBridge(locationOf('http://127.0.0.1:4000/#token=t'), () => {}, env)
    FakeSocket.made[0]?.accept()
    const call = bridge.call('app.info', {})
    FakeSocket.made[0]?.drop()
    expect(await call).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })
})
