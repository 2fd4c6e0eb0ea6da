import type { HistoryState } from '../../../shared/api'
import { parseEnode } from '../p2p/enode'
import type { EncryptedStore } from '../storage/encrypted-store'
import { putJson } from '../storage/encrypted-store'
import { MailserverClient } from '../whisper/mailserver-client'
import { MAX_QUERY_RANGE_SECONDS, MAX_PAGE_LIMIT } from '../whisper/mailserver-codec'
import type { WhisperNode } from '../whisper/node'
import { HISTORY_KEY } from './records'

/** The furthest back a request goes: what mailservers keep. */
export const MAX_HISTORY_SECONDS = 30 * 86_400
/** A first sync (nothing synced yet) fetches the last day, as status-go's default request does. */
export const FIRST_SYNC_SECONDS = 86_400
/**
 * Each sync starts this far before the previous one ended: an envelope stamped just before that moment may
 * have reached the mailserver after it. Duplicates are dropped by message id.
 */
export const SYNC_OVERLAP_SECONDS = 120

export interface HistorySyncOptions {
  node: WhisperNode
  store: EncryptedStore
  /** Every topic the account listens on. */
  topics: () => Uint8Array[]
  /** Configured mailserver enode URLs, most preferred first. */
  mailservers: () => string[]
  onState: (state: HistoryState) => void
  /** Resolves once every envelope delivered so far has been processed and committed. */
  drained: () => Promise<void>
  now?: () => number
  /** Per page; default 30 s (the Status app's timeout). */
  pageTimeoutMs?: number
}

/**
 * Fetches what this account missed from its mailserver (spec §2.9): status-go's MessagesRequest form over
 * every topic we listen on, in windows of at most 24 h (the server's limit), from the end of the last
 * successful sync to now. The envelopes come back through the normal filters; this class only tracks how
 * far history is known complete, and the gap when a request fails.
 */
export class HistorySync {
  private readonly client: MailserverClient
  private readonly now: () => number
  private current: HistoryState
  private running: Promise<boolean> | null = null
  private followUp: Promise<boolean> | null = null
  private closed = false

  private constructor(
    private readonly options: HistorySyncOptions,
    private syncedUntil: number | null
  ) {
    this.now = options.now ?? Date.now
    this.client = new MailserverClient({ node: options.node, timeoutMs: options.pageTimeoutMs ?? 30_000, now: this.now })
    this.current = { state: 'idle', syncedUntil, gap: null }
  }

  static async load(options: HistorySyncOptions): Promise<HistorySync> {
    const saved = await options.store.getJson<{ syncedUntil: number | null }>(HISTORY_KEY)
    return new HistorySync(options, saved?.syncedUntil ?? null)
  }

  state(): HistoryState {
    return this.current
  }

  /** The configured mailserver this account uses now: the first one that is connected. */
  connectedMailserver(): string | null {
    const connected = new Set(this.options.node.peerIds())
    for (const url of this.options.mailservers()) {
      const id = enodeId(url)
      if (id !== null && connected.has(id)) return id
    }
    return null
  }

  isMailserver(peerId: string): boolean {
    return this.options.mailservers().some((url) => enodeId(url) === peerId)
  }

  /**
   * Requests history since the last sync (or `sinceSeconds` ago). Resolves false when no configured
   * mailserver is connected. While a request runs, later calls share one follow-up request, which also
   * covers the topics added meanwhile.
   */
  request(sinceSeconds?: number): Promise<boolean> {
    if (this.running) {
      this.followUp ??= this.running.then(() => {
        this.followUp = null
        return this.request(sinceSeconds)
      })
      return this.followUp
    }
    const peerId = this.connectedMailserver()
    if (peerId === null || this.closed) return Promise.resolve(false)
    this.running = this.fetch(peerId, sinceSeconds).finally(() => {
      this.running = null
    })
    return this.running
  }

  close(): void {
    this.closed = true
    this.client.close()
  }

  private async fetch(peerId: string, sinceSeconds: number | undefined): Promise<boolean> {
    const to = Math.floor(this.now() / 1000)
    const wanted =
      sinceSeconds !== undefined
        ? to - sinceSeconds
        : this.syncedUntil !== null
          ? this.syncedUntil - SYNC_OVERLAP_SECONDS
          : to - FIRST_SYNC_SECONDS
    let from = Math.max(wanted, to - MAX_HISTORY_SECONDS)
    this.setState({ state: 'fetching', syncedUntil: this.syncedUntil, gap: null })
    try {
      while (from < to) {
        const upper = Math.min(from + MAX_QUERY_RANGE_SECONDS, to)
        await this.client.request({ peerId, from, to: upper, topics: this.options.topics(), limit: MAX_PAGE_LIMIT })
        // Only what is committed counts as synced: a crash before that must fetch the window again.
        await this.options.drained()
        if (this.closed) return true
        await this.advance(upper)
        from = upper
      }
      this.setState({ state: 'done', syncedUntil: this.syncedUntil, gap: null })
    } catch (error) {
      if (this.closed) return true
      this.setState({
        state: 'failed',
        syncedUntil: this.syncedUntil,
        gap: { from, to },
        error: error instanceof Error ? error.message : String(error)
      })
    }
    return true
  }

  private async advance(until: number): Promise<void> {
    if (this.syncedUntil !== null && this.syncedUntil >= until) return
    this.syncedUntil = until
    await this.options.store.batch([putJson(HISTORY_KEY, { syncedUntil: until })])
  }

  private setState(state: HistoryState): void {
    this.current = state
    if (!this.closed) this.options.onState(state)
  }
}

function enodeId(url: string): string | null {
  try {
    return parseEnode(url).idHex
  } catch {
    return null
  }
}
