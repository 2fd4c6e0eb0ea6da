import { z } from 'zod'
import type { HistoryFailure, HistoryState } from '../../../shared/api'
import type { Logger } from '../log/logger'
import { parseEnode } from '../p2p/enode'
import type { EncryptedStore } from '../storage/encrypted-store'
import { putJson } from '../storage/encrypted-store'
import { getParsed, type OnUnreadable } from '../storage/parsed-records'
import { MailserverClient } from '../whisper/mailserver-client'
import { MAX_QUERY_RANGE_SECONDS, MAX_PAGE_LIMIT } from '../whisper/mailserver-codec'
import { WhisperError } from '../whisper/errors'
import type { WhisperNode } from '../whisper/node'
import { Count, HISTORY_KEY } from './records'

/** The furthest back a request goes: what mailservers keep. */
export const MAX_HISTORY_SECONDS = 30 * 86_400
/** A first sync (nothing synced yet) fetches the last day, as status-go's default request does. */
export const FIRST_SYNC_SECONDS = 86_400
/**
 * Each sync starts this far before the previous one ended: an envelope stamped just before that moment may
 * have reached the mailserver after it. Duplicates are dropped by message id.
 */
export const SYNC_OVERLAP_SECONDS = 120

const SavedHistory = z.object({ syncedUntil: Count.nullable() })

export interface HistorySyncOptions {
  node: WhisperNode
  store: EncryptedStore
  /** Every topic the account listens on. */
  topics: () => Uint8Array[]
  /** Configured mailserver enode URLs, most preferred first. */
  mailservers: () => string[]
  onState: (state: HistoryState) => void
  /** An unreadable saved state is reported here, and history is fetched as if never synced. */
  onUnreadable?: OnUnreadable
  /** Where a failed fetch's detail goes; the state carries only its kind. */
  log?: Logger
  /** Resolves once every envelope delivered so far has been processed and committed. */
  drained: () => Promise<void>
  /** Received messages waiting to be processed (default none): the next page waits until few are left. */
  backlog?: () => number
  now?: () => number
  /** Per page; default 30 s (the Status app's timeout). */
  pageTimeoutMs?: number
}

/**
 * Most history envelopes waiting to be decrypted and stored when the next page is asked for: one page, so
 * the next page travels while the previous one is processed, and no more than two are ever in flight.
 */
export const MAX_HISTORY_BACKLOG = MAX_PAGE_LIMIT
const BACKLOG_POLL_MS = 5

/** A fetch: every topic we listen on (advancing syncedUntil), or the topics of one chat just joined. */
interface Fetch {
  sinceSeconds: number | undefined
  topics: Uint8Array[] | null
}

/**
 * Fetches what this account missed from its mailserver (spec §2.9): status-go's MessagesRequest form over
 * every topic we listen on, in windows of at most 24 h (the server's limit), from the end of the last
 * successful sync to now, newest window first (and the server answers each newest page first). A chat
 * joined later fetches its own topics only. The envelopes come back through the normal filters; this
 * class only tracks how far history is known complete, and the gap when a request fails.
 */
export class HistorySync {
  private readonly client: MailserverClient
  private readonly now: () => number
  private current: HistoryState
  private running: Promise<boolean> | null = null
  private followUp: Promise<boolean> | null = null
  /** Chat fetches run one after another, beside the full sync. */
  private chatFetches: Promise<unknown> = Promise.resolve()
  /** Fetches under way; history.state is "fetching" while any is. */
  private active = 0
  private failure: Pick<HistoryState, 'gap' | 'failure'> | null = null
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
    const saved = await getParsed(options.store, HISTORY_KEY, SavedHistory, options.onUnreadable)
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
    this.running = this.fetch(peerId, { sinceSeconds, topics: null }).finally(() => {
      this.running = null
    })
    return this.running
  }

  /**
   * History of one chat just joined: only its topics, the last `sinceSeconds`, at once (beside a full sync
   * that may be running). It does not move syncedUntil: the other topics were not asked for.
   */
  requestTopics(topics: Uint8Array[], sinceSeconds: number): Promise<boolean> {
    const run = this.chatFetches.then(() => {
      const peerId = this.connectedMailserver()
      if (peerId === null || this.closed) return false
      return this.fetch(peerId, { sinceSeconds, topics })
    })
    this.chatFetches = run.catch(() => undefined)
    return run
  }

  close(): void {
    this.closed = true
    this.client.close()
  }

  private async fetch(peerId: string, { sinceSeconds, topics }: Fetch): Promise<boolean> {
    const to = Math.floor(this.now() / 1000)
    const wanted =
      sinceSeconds !== undefined
        ? to - sinceSeconds
        : this.syncedUntil !== null
          ? this.syncedUntil - SYNC_OVERLAP_SECONDS
          : to - FIRST_SYNC_SECONDS
    const from = Math.max(wanted, to - MAX_HISTORY_SECONDS)
    this.begin()
    // Newest first: what a person opening the app wants to see is the latest.
    let upper = to
    try {
      while (upper > from) {
        const lower = Math.max(upper - MAX_QUERY_RANGE_SECONDS, from)
        // The bound holds across windows too: a day's first page waits like any next page.
        if (upper < to) await this.backlogBelow(MAX_HISTORY_BACKLOG)
        await this.client.request({
          peerId,
          from: lower,
          to: upper,
          topics: topics ?? this.options.topics(),
          limit: MAX_PAGE_LIMIT,
          beforeNextPage: () => this.backlogBelow(MAX_HISTORY_BACKLOG)
        })
        if (this.closed) return true
        upper = lower
      }
      // Only what is committed counts as synced: a crash before that must fetch the range again.
      await this.drained()
      if (this.closed) return true
      if (topics === null) await this.advance(to)
    } catch (error) {
      if (this.closed) return true
      this.options.log?.warn('history fetch failed', { error, from, to: upper })
      this.failure = { gap: { from, to: upper }, failure: failureOf(error) }
    } finally {
      this.end()
    }
    return true
  }

  private begin(): void {
    if (this.active++ > 0) return
    this.failure = null
    this.setState({ state: 'fetching', syncedUntil: this.syncedUntil, gap: null })
  }

  private end(): void {
    if (--this.active > 0 || this.closed) return
    const { failure } = this
    this.setState(
      failure
        ? { state: 'failed', syncedUntil: this.syncedUntil, ...failure }
        : { state: 'done', syncedUntil: this.syncedUntil, gap: null }
    )
  }

  /** Every envelope received so far went through the filters, and what they handed on is committed. */
  private async drained(): Promise<void> {
    await this.options.node.directDelivered()
    await this.options.drained()
  }

  /** Resolves once at most `max` received envelopes wait to be processed. */
  private async backlogBelow(max: number): Promise<void> {
    const backlog = (): number => this.options.node.directBacklog + (this.options.backlog?.() ?? 0)
    while (backlog() > max && !this.closed) await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS))
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

function failureOf(error: unknown): HistoryFailure {
  if (error instanceof WhisperError && error.code === 'timeout') return 'TIMEOUT'
  if (error instanceof WhisperError && error.code === 'mailserver-error') return 'REFUSED'
  return 'OTHER'
}

function enodeId(url: string): string | null {
  try {
    return parseEnode(url).idHex
  } catch {
    return null
  }
}
