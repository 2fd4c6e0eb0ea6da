import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { decodeEnvelope, sentTime, type Envelope } from './envelope'
import { WhisperError } from './errors'
import { MailserverArchive, type ArchivedEnvelope } from './mailserver-archive'
import {
  decodeMessagesRequest,
  decodeRequestPayload,
  encodeRequestComplete,
  encodeRequestError,
  normalizeQuery,
  type HistoryQuery
} from './mailserver-codec'
import { openEnvelope } from './message'
import type { WhisperNode } from './node'
import { symKeyFromPassword } from './password'
import type { PooledEnvelope } from './pool'
import { powOf } from './pow'

export interface MailserverOptions {
  node: WhisperNode
  /** The archive lives in `<dataDir>/mailserver-archive`. */
  dataDir: string
  /** Requests in envelope form are encrypted with PBKDF2(password) (Status: "status-offline-inbox"). */
  password: string
  /** History kept, default 30 days. */
  retentionSeconds?: number
  /** Millisecond clock. */
  now?: () => number
  /** How often old envelopes are pruned, default hourly. */
  pruneIntervalMs?: number
}

export interface MailserverEvents {
  /** A request was answered (or refused with an ERROR completion). */
  served: [{ peerId: string; requestId: string; envelopes: number; error?: string }]
  error: [Error]
}

/** Largest 127 packet we send: below geth's 1 MiB default so no client drops us. */
const MAX_BATCH_BYTES = 1024 * 1024 - 64
const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600

/**
 * The offline inbox (spec whisper §4.3, status §2.9): archives every envelope the node accepts and answers
 * code-126 requests in both forms with code-127 batches followed by a code-125 completion.
 */
export class Mailserver extends EventEmitter<MailserverEvents> {
  private readonly node: WhisperNode
  private readonly options: MailserverOptions
  private readonly now: () => number
  private readonly retentionSeconds: number
  private archive: MailserverArchive | null = null
  private symKey: Uint8Array | null = null
  /** Archive writes and request answers run in order, so a request sees every envelope accepted before it. */
  private queue: Promise<void> = Promise.resolve()
  private pruneTimer: ReturnType<typeof setInterval> | null = null

  private readonly onEnvelope = (pooled: PooledEnvelope): void => {
    if (sentTime(pooled.envelope) < this.nowSec() - this.retentionSeconds) return
    this.enqueue(async (archive) => archive.put(pooled))
  }

  private readonly onRequest = ({ peerId, payload }: { peerId: string; payload: Uint8Array }): void => {
    this.enqueue(async (archive) => this.serve(archive, peerId, payload))
  }

  constructor(options: MailserverOptions) {
    super()
    this.node = options.node
    this.options = options
    this.now = options.now ?? Date.now
    this.retentionSeconds = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS
  }

  async start(): Promise<void> {
    if (this.archive) throw new WhisperError('bad-argument', 'mailserver already started')
    this.symKey = await symKeyFromPassword(this.options.password)
    this.archive = await MailserverArchive.open(join(this.options.dataDir, 'mailserver-archive'))
    await this.prune()
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneIntervalMs ?? 3600_000)
    this.pruneTimer.unref?.()
    this.node.on('envelope', this.onEnvelope)
    this.node.on('p2pRequest', this.onRequest)
  }

  async stop(): Promise<void> {
    const archive = this.archive
    if (!archive) return
    this.node.off('envelope', this.onEnvelope)
    this.node.off('p2pRequest', this.onRequest)
    if (this.pruneTimer) clearInterval(this.pruneTimer)
    this.pruneTimer = null
    await this.queue
    this.archive = null
    await archive.close()
  }

  /** Drop history older than the retention window; returns how many envelopes went. */
  async prune(): Promise<number> {
    let removed = 0
    await this.enqueue(async (archive) => {
      removed = await archive.prune(this.nowSec() - this.retentionSeconds)
    })
    return removed
  }

  private nowSec(): number {
    return Math.floor(this.now() / 1000)
  }

  private enqueue(task: (archive: MailserverArchive) => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      const archive = this.archive
      if (!archive) return
      try {
        await task(archive)
      } catch (error) {
        // A lost peer or a disk error must not stop the queue; report only to whoever listens.
        if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)))
      }
    })
    return this.queue
  }

  private async serve(archive: MailserverArchive, peerId: string, payload: Uint8Array): Promise<void> {
    let request: { requestId: Uint8Array; query: HistoryQuery }
    try {
      request = this.parseRequest(payload)
    } catch (error) {
      const requestId = requestIdOf(payload)
      const message = (error as Error).message
      if (requestId) this.node.sendRequestComplete(peerId, encodeRequestError(requestId, message))
      this.emit('served', { peerId, requestId: requestId ? bytesToHex(requestId) : '', envelopes: 0, error: message })
      return
    }
    const { requestId, query } = request
    const page = await archive.query(query)
    for (const batch of batches(page.envelopes)) this.node.sendP2PMessages(peerId, batch)
    const last = page.envelopes[page.envelopes.length - 1]
    this.node.sendRequestComplete(peerId, encodeRequestComplete(requestId, last ? last.hash : new Uint8Array(32), page.cursor))
    this.emit('served', { peerId, requestId: bytesToHex(requestId), envelopes: page.envelopes.length })
  }

  /** Envelope form first (as status-go does), then the MessagesRequest form. */
  private parseRequest(payload: Uint8Array): { requestId: Uint8Array; query: HistoryQuery } {
    const nowSec = this.nowSec()
    let envelope: Envelope | null = null
    try {
      envelope = decodeEnvelope(payload)
    } catch {
      envelope = null
    }
    if (!envelope) {
      const request = decodeMessagesRequest(RLP.decode(payload))
      return { requestId: request.id, query: normalizeQuery(request, nowSec) }
    }
    const minPow = this.node.requiredPow
    if (envelope.ttl === 0 || powOf(envelope) < minPow) {
      throw new WhisperError('bad-request', `request PoW below the required ${minPow}`)
    }
    const opened =
      openEnvelope(envelope, { symKey: this.symKey as Uint8Array }) ??
      openEnvelope(envelope, { privateKey: this.node.host.privateKey })
    if (!opened) throw new WhisperError('bad-request', 'request envelope cannot be opened with the mailserver key')
    if (!opened.signer) throw new WhisperError('bad-request', 'request envelope is not signed')
    return { requestId: keccak256(payload), query: normalizeQuery(decodeRequestPayload(opened.payload), nowSec) }
  }
}

/** The id to quote in an ERROR completion: the envelope hash, or a MessagesRequest's own id. */
function requestIdOf(payload: Uint8Array): Uint8Array | null {
  try {
    decodeEnvelope(payload)
    return keccak256(payload)
  } catch {
    try {
      const item = RLP.decode(payload)
      const id = Array.isArray(item) ? item[0] : undefined
      return id instanceof Uint8Array && id.length === 32 ? id : null
    } catch {
      return null
    }
  }
}

/** Consecutive groups whose RLP list stays below MAX_BATCH_BYTES (an oversized envelope travels alone). */
function* batches(envelopes: ArchivedEnvelope[]): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = []
  let bytes = 0
  for (const { encoded } of envelopes) {
    if (batch.length > 0 && bytes + encoded.length > MAX_BATCH_BYTES) {
      yield batch
      batch = []
      bytes = 0
    }
    batch.push(encoded)
    bytes += encoded.length
  }
  if (batch.length > 0) yield batch
}
