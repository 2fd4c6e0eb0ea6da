import { randomBytes } from 'node:crypto'
import { equalBytes } from '@noble/curves/utils.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { publicKeyOf } from '../primitives/secp256k1'
import { BLOOM_LENGTH, FULL_BLOOM, mergeBlooms, topicToBloom } from './bloom'
import { sentTime, type Envelope } from './envelope'
import { WhisperError } from './errors'
import { openEnvelope, type OpenKey, type OpenedMessage } from './message'
import { assertSymKey } from './symmetric'
import { TOPIC_LENGTH } from './topic'

export type FilterKey = { kind: 'sym'; symKey: Uint8Array } | { kind: 'asym'; privateKey: Uint8Array }

export interface FilterSpec {
  /** Empty = every topic. */
  topics: Uint8Array[]
  key: FilterKey
  /** Envelopes below this PoW are ignored (0 = any). */
  minPow?: number
  /** Accept envelopes delivered directly by a trusted peer (code 127, mailserver replies). */
  allowP2P?: boolean
  /** Only messages signed by this 65-byte public key. */
  src?: Uint8Array
  /**
   * Envelopes (by hash hex) the subscriber already processed: they are not decrypted for it again, e.g.
   * the same message fetched again from a mailserver or sent on by a second peer.
   */
  processed?: (envelopeHashHex: string) => boolean
}

/** A decrypted message as handed to subscribers. */
export interface ReceivedMessage {
  payload: Uint8Array
  /** 65-byte uncompressed public key, or null when unsigned. */
  signer: Uint8Array | null
  topic: Uint8Array
  /** Expiry − TTL, UNIX seconds. */
  sent: number
  ttl: number
  pow: number
  envelopeHash: string
  padding: Uint8Array
}

export interface Delivery {
  filterId: string
  message: ReceivedMessage
}

interface Filter {
  id: string
  topicHexes: string[]
  openKey: OpenKey
  /** keccak256(symKey) or the recipient public key: filters sharing it decrypt the same envelopes. */
  keyId: string
  minPow: number
  allowP2P: boolean
  src: Uint8Array | null
  processed: ((envelopeHashHex: string) => boolean) | null
}

const ALL_TOPICS = '*'

/**
 * Installed message filters, indexed by topic (geth filter.go). Delivering an envelope tries only the
 * filters watching its topic, and decrypts at most once per distinct key: geth stops trying other keys
 * after the first success and matches the remaining filters by key identity.
 */
export class FilterSet {
  private readonly filters = new Map<string, Filter>()
  private readonly byTopic = new Map<string, Set<Filter>>()

  get size(): number {
    return this.filters.size
  }

  install(spec: FilterSpec): string {
    const { key } = spec
    let openKey: OpenKey
    let keyId: string
    if (key.kind === 'sym') {
      assertSymKey(key.symKey)
      openKey = { symKey: key.symKey.slice() }
      keyId = `sym:${bytesToHex(keccak256(key.symKey))}`
    } else {
      let publicKey: Uint8Array
      try {
        publicKey = publicKeyOf(key.privateKey, false)
      } catch {
        throw new WhisperError('bad-key', 'filter private key is not a valid secp256k1 key')
      }
      openKey = { privateKey: key.privateKey.slice() }
      keyId = `asym:${bytesToHex(publicKey)}`
    }
    for (const topic of spec.topics) {
      if (topic.length !== TOPIC_LENGTH) throw new WhisperError('bad-topic', `filter topic must be ${TOPIC_LENGTH} bytes`)
    }
    const minPow = spec.minPow ?? 0
    if (!(minPow >= 0)) throw new WhisperError('bad-argument', `filter minPow must be ≥ 0, got ${minPow}`)
    const filter: Filter = {
      id: bytesToHex(randomBytes(16)),
      topicHexes: spec.topics.length === 0 ? [ALL_TOPICS] : [...new Set(spec.topics.map((t) => bytesToHex(t)))],
      openKey,
      keyId,
      minPow,
      allowP2P: spec.allowP2P ?? false,
      src: spec.src ? spec.src.slice() : null,
      processed: spec.processed ?? null
    }
    this.filters.set(filter.id, filter)
    for (const topicHex of filter.topicHexes) {
      let set = this.byTopic.get(topicHex)
      if (!set) {
        set = new Set()
        this.byTopic.set(topicHex, set)
      }
      set.add(filter)
    }
    return filter.id
  }

  uninstall(id: string): boolean {
    const filter = this.filters.get(id)
    if (!filter) return false
    this.filters.delete(id)
    for (const topicHex of filter.topicHexes) {
      const set = this.byTopic.get(topicHex)
      set?.delete(filter)
      if (set?.size === 0) this.byTopic.delete(topicHex)
    }
    return true
  }

  /** Every filter that gets this envelope, with its decrypted message. */
  deliver(pooled: { envelope: Envelope; hashHex: string; pow: number }, options: { p2p: boolean }): Delivery[] {
    const { envelope, pow } = pooled
    const candidates = [...(this.byTopic.get(bytesToHex(envelope.topic)) ?? []), ...(this.byTopic.get(ALL_TOPICS) ?? [])]
    if (candidates.length === 0) return []
    const deliveries: Delivery[] = []
    const failedKeys = new Set<string>()
    let opened: { keyId: string; message: ReceivedMessage } | null = null
    for (const filter of candidates) {
      if (options.p2p && !filter.allowP2P) continue
      if (filter.minPow > 0 && pow < filter.minPow) continue
      if (filter.processed?.(pooled.hashHex) === true) continue
      if (opened === null) {
        if (failedKeys.has(filter.keyId)) continue
        const result = openEnvelope(envelope, filter.openKey)
        if (!result) {
          failedKeys.add(filter.keyId)
          continue
        }
        opened = { keyId: filter.keyId, message: toReceived(result, pooled) }
      } else if (opened.keyId !== filter.keyId) {
        continue
      }
      const { message } = opened
      if (filter.src && !(message.signer && equalBytes(message.signer, filter.src))) continue
      deliveries.push({ filterId: filter.id, message })
    }
    return deliveries
  }

  /** OR of the installed topics' blooms; all 0xff if any filter watches every topic; all zero when empty. */
  bloom(): Uint8Array {
    if (this.byTopic.has(ALL_TOPICS)) return FULL_BLOOM.slice()
    const blooms: Uint8Array[] = []
    for (const topicHex of this.byTopic.keys()) blooms.push(topicToBloom(hexToBytes(topicHex)))
    return blooms.length === 0 ? new Uint8Array(BLOOM_LENGTH) : mergeBlooms(...blooms)
  }
}

function toReceived(opened: OpenedMessage, pooled: { envelope: Envelope; hashHex: string; pow: number }): ReceivedMessage {
  const { envelope } = pooled
  return {
    payload: opened.payload,
    signer: opened.signer,
    topic: envelope.topic.slice(),
    sent: sentTime(envelope),
    ttl: envelope.ttl,
    pow: pooled.pow,
    envelopeHash: pooled.hashHex,
    padding: opened.padding
  }
}
