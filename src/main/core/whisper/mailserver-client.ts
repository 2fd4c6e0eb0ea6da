import { bytesToHex } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { FULL_BLOOM, topicsToBloom } from './bloom'
import { encodeEnvelope } from './envelope'
import { WhisperError } from './errors'
import {
  REQUEST_ID_LENGTH,
  decodeRequestComplete,
  encodeMessagesRequest,
  encodeRequestPayload,
  type HistoryQuery
} from './mailserver-codec'
import { secureRandom, sealMessage, type RandomBytes } from './message'
import type { WhisperNode } from './node'
import type { PooledEnvelope } from './pool'

export interface HistoryRequest {
  /** The mailserver's node id (128 hex); it must be a connected peer. */
  peerId: string
  /** UNIX seconds, inclusive. */
  from: number
  to: number
  /** Topics wanted; their bloom is sent (default: everything). */
  topics?: Uint8Array[]
  /** Per page, 0 = server default (1000). Default 100, as status-go. */
  limit?: number
  /**
   * 'messages-request' (default): status-go's unencrypted MessagesRequest.
   * 'envelope': a signed envelope encrypted with `symKey` (PBKDF2 of the mailserver password), geth-compatible.
   */
  form?: 'messages-request' | 'envelope'
  symKey?: Uint8Array
  /** Keep requesting with the returned cursor until the server says the range is done (default true). */
  followCursor?: boolean
  /** Per page; default from the client options. */
  timeoutMs?: number
  /**
   * Awaited before each next page is asked for (the previous page's completion, and its cursor, are in):
   * the caller bounds how much history waits to be processed. The next page is asked for as soon as it
   * resolves, while the previous one is still being decrypted and stored.
   */
  beforeNextPage?: () => Promise<void>
}

export interface HistoryResult {
  pages: number
  /** Envelopes received from this mailserver while the request ran (already delivered to allowP2P filters). */
  envelopes: number
  /** Empty when the range is exhausted; else where to continue (only with followCursor false). */
  cursor: Uint8Array
  lastEnvelopeHash: Uint8Array
}

export interface MailserverClientOptions {
  node: WhisperNode
  /** Per-page completion timeout, default 10 s (status-go default). */
  timeoutMs?: number
  /** Millisecond clock for sealing envelope-form requests. */
  now?: () => number
  random?: RandomBytes
}

interface PendingPage {
  peerId: string
  envelopes: number
  resolve(completion: { lastEnvelopeHash: Uint8Array; cursor: Uint8Array }): void
  reject(error: Error): void
}

/**
 * Asks a mailserver for history. The node already marks the server trusted when the request goes out and
 * hands the 127 replies to allowP2P filters; this class pairs 125 completions with requests, follows cursors
 * and enforces timeouts.
 */
export class MailserverClient {
  private readonly node: WhisperNode
  private readonly timeoutMs: number
  private readonly now: () => number
  private readonly random: RandomBytes
  /** By request id hex. */
  private readonly pending = new Map<string, PendingPage>()

  private readonly onMessages = ({ peerId, envelopes }: { peerId: string; envelopes: PooledEnvelope[] }): void => {
    // 127 packets carry no request id: credit the oldest page in flight with that server.
    for (const page of this.pending.values()) {
      if (page.peerId === peerId) {
        page.envelopes += envelopes.length
        return
      }
    }
  }

  private readonly onComplete = ({ peerId, payload }: { peerId: string; payload: Uint8Array }): void => {
    let completion
    try {
      completion = decodeRequestComplete(payload)
    } catch {
      return
    }
    const key = bytesToHex(completion.requestId)
    const page = this.pending.get(key)
    if (!page || page.peerId !== peerId) return
    if (completion.kind === 'error') {
      page.reject(new WhisperError('mailserver-error', `mailserver refused request ${key}: ${completion.message}`))
    } else {
      page.resolve(completion)
    }
  }

  constructor(options: MailserverClientOptions) {
    this.node = options.node
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.now = options.now ?? Date.now
    this.random = options.random ?? secureRandom
    this.node.on('p2pMessages', this.onMessages)
    this.node.on('requestComplete', this.onComplete)
  }

  /** Stop listening; requests still in flight fail with `closed`. */
  close(): void {
    this.node.off('p2pMessages', this.onMessages)
    this.node.off('requestComplete', this.onComplete)
    for (const page of this.pending.values()) page.reject(new WhisperError('closed', 'mailserver client closed'))
  }

  async request(req: HistoryRequest): Promise<HistoryResult> {
    if (req.form === 'envelope' && !req.symKey) throw new WhisperError('bad-argument', 'envelope-form requests need symKey')
    const query: HistoryQuery = {
      lower: req.from,
      upper: req.to,
      bloom: req.topics && req.topics.length > 0 ? topicsToBloom(req.topics) : FULL_BLOOM.slice(),
      limit: req.limit ?? 100,
      cursor: new Uint8Array(0)
    }
    const result: HistoryResult = { pages: 0, envelopes: 0, cursor: new Uint8Array(0), lastEnvelopeHash: new Uint8Array(32) }
    for (;;) {
      const page = await this.requestPage(req, query)
      result.pages++
      result.envelopes += page.envelopes
      result.cursor = page.cursor
      if (page.envelopes > 0) result.lastEnvelopeHash = page.lastEnvelopeHash
      if (page.cursor.length === 0 || req.followCursor === false) return result
      query.cursor = page.cursor
      await req.beforeNextPage?.()
    }
  }

  private requestPage(
    req: HistoryRequest,
    query: HistoryQuery
  ): Promise<{ envelopes: number; lastEnvelopeHash: Uint8Array; cursor: Uint8Array }> {
    const { requestId, payload } = this.buildRequest(req, query)
    const key = bytesToHex(requestId)
    const timeoutMs = req.timeoutMs ?? this.timeoutMs
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer)
        this.pending.delete(key)
      }
      const page: PendingPage = {
        peerId: req.peerId,
        envelopes: 0,
        resolve: (c) => {
          finish()
          resolve({ envelopes: page.envelopes, ...c })
        },
        reject: (error) => {
          finish()
          reject(error)
        }
      }
      const timer = setTimeout(
        () => page.reject(new WhisperError('timeout', `mailserver ${req.peerId.slice(0, 16)}… did not complete request ${key} within ${timeoutMs} ms`)),
        timeoutMs
      )
      this.pending.set(key, page)
      try {
        this.node.sendP2PRequest(req.peerId, payload)
      } catch (error) {
        page.reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  }

  private buildRequest(req: HistoryRequest, query: HistoryQuery): { requestId: Uint8Array; payload: Uint8Array } {
    if (req.form !== 'envelope') {
      const id = this.random(REQUEST_ID_LENGTH)
      return { requestId: id, payload: encodeMessagesRequest({ ...query, id }) }
    }
    // Status signs mailserver requests with the devp2p node key and seals them at the node's PoW.
    const envelope = sealMessage({
      payload: encodeRequestPayload(query),
      topic: new Uint8Array(4),
      ttl: 10,
      powTarget: this.node.requiredPow,
      workTimeMs: 5000,
      key: { symKey: req.symKey as Uint8Array },
      signWith: this.node.host.privateKey,
      now: this.now,
      random: this.random
    })
    const payload = encodeEnvelope(envelope)
    return { requestId: keccak256(payload), payload }
  }
}
