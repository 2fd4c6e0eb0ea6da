import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { DISCONNECT_REASON, type Peer } from '@ethereumjs/devp2p'
import {
  ProtocolBase,
  capability,
  clearStatusTimer,
  guardInboundFrames,
  peerSocket,
  protocolType,
  sendCompressed,
  type SendFrame
} from '../p2p/devp2p-workarounds'
import { RlpFormatError, readRlpListSpans, readRlpSpan, type RlpSpan } from '../p2p/rlp-view'
import { BLOOM_LENGTH, isFullBloom } from './bloom'

export const SHH_NAME = 'shh'
export const SHH_VERSION = 6
/** geth reserves 128 ids (NumberOfMessageCodes), so id offsets agree with geth and status-go peers. */
export const SHH_LENGTH = 128

export const ShhCode = {
  Status: 0,
  Messages: 1,
  PowRequirement: 2,
  Bloom: 3,
  P2PRequestComplete: 125,
  P2PRequest: 126,
  P2PMessage: 127
} as const

/** What a peer told us in its Status (defaults per geth for omitted optional items). */
export interface ShhStatus {
  version: number
  pow: number
  /** null = full node, accepts every topic. */
  bloom: Uint8Array | null
  light: boolean
}

/** What we advertise. */
export interface LocalShhStatus {
  pow: number
  /** null or all-0xff = accept everything. */
  bloom: Uint8Array | null
  light: boolean
}

/** A peer broke the shh/6 rules; thrown inside _handleMessage, so the library disconnects it (SUBPROTOCOL_ERROR). */
export class ShhProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ShhProtocolError'
  }
}

/**
 * Callbacks from one connection to the Whisper node. Throwing from any of them (or rejecting) disconnects
 * the peer.
 */
export interface ShhHandler {
  onStatus(status: ShhStatus): void
  /** Every message after the handshake, before it is handled: its payload size. */
  onTraffic(bytes: number): void
  /**
   * Code 1: the packet's RLP list of envelopes and the framing of its items (`splitRawList`'s spans). A
   * promise means the work goes on in slices: this peer's later messages wait, and its socket is not read.
   */
  onEnvelopes(packet: Uint8Array, items: RlpSpan[]): void | Promise<void>
  onPowRequirement(pow: number): void
  onBloom(bloom: Uint8Array | null): void
  /** Code 127, single envelope or list (status fork), as raw envelope RLPs. */
  onP2PMessages(envelopes: Uint8Array[]): void
  /** Code 126: the raw RLP payload (an envelope, or status-go's MessagesRequest). */
  onP2PRequest(payload: Uint8Array): void
  /** Code 125: the byte string's content. */
  onRequestComplete(payload: Uint8Array): void
}

/* ---------------------------------- Status codec ---------------------------------- */

/** PoW as geth sends it: the float64 bit pattern as a canonical (minimal) RLP unsigned integer. */
export function encodePowBits(pow: number): Uint8Array {
  const bits = new Uint8Array(8)
  new DataView(bits.buffer).setFloat64(0, pow)
  let start = 0
  while (start < 8 && bits[start] === 0) start++
  return bits.slice(start)
}

/** Inverse of encodePowBits; rejects non-canonical integers and NaN, infinities or negative values. */
export function decodePowBits(bytes: Uint8Array): number {
  if (bytes.length > 8) throw new ShhProtocolError(`PoW value of ${bytes.length} bytes (max 8)`)
  if (bytes.length > 0 && bytes[0] === 0) throw new ShhProtocolError('PoW value is not a canonical integer')
  const bits = new Uint8Array(8)
  bits.set(bytes, 8 - bytes.length)
  const pow = new DataView(bits.buffer).getFloat64(0)
  if (!Number.isFinite(pow) || pow < 0) throw new ShhProtocolError(`invalid PoW value ${pow}`)
  return pow
}

/** `[6, powBits, bloom, isLight]`; a full (null or all-0xff) bloom is sent as empty, like geth's nil. */
export function encodeStatus(s: LocalShhStatus): Uint8Array {
  const bloom = s.bloom === null || isFullBloom(s.bloom) ? new Uint8Array(0) : s.bloom
  return RLP.encode([SHH_VERSION, encodePowBits(s.pow), bloom, s.light ? Uint8Array.of(1) : new Uint8Array(0)])
}

/**
 * geth's handshake reader: version mandatory and = 6; pow, bloom and light optional and read in
 * order, each only if the previous one was readable; extra trailing items are ignored.
 */
export function parseStatus(data: Uint8Array): ShhStatus {
  const items = decodeRlp(data, 'Status')
  if (!Array.isArray(items)) throw new ShhProtocolError('Status is not an RLP list')
  const [versionItem, powItem, bloomItem, lightItem] = items
  if (!(versionItem instanceof Uint8Array)) throw new ShhProtocolError('Status has no version')
  const version = uintOf(versionItem)
  if (version !== SHH_VERSION) throw new ShhProtocolError(`peer speaks shh version ${version}, want ${SHH_VERSION}`)
  const status: ShhStatus = { version, pow: 0, bloom: null, light: false }
  if (!(powItem instanceof Uint8Array) || !isCanonicalUint(powItem, 8)) return status
  status.pow = decodePowBits(powItem)
  if (bloomItem instanceof Uint8Array) {
    if (bloomItem.length !== 0 && bloomItem.length !== BLOOM_LENGTH) {
      throw new ShhProtocolError(`Status bloom of ${bloomItem.length} bytes (want 0 or ${BLOOM_LENGTH})`)
    }
    status.bloom = bloomItem.length === 0 || isFullBloom(bloomItem) ? null : bloomItem
  } else if (bloomItem !== undefined) {
    throw new ShhProtocolError('Status bloom is not a byte string')
  }
  // Older peers omit the light flag and geth ignores a malformed one, so do we.
  if (lightItem instanceof Uint8Array && lightItem.length === 1 && lightItem[0] === 1) status.light = true
  return status
}

/* ------------------------------ raw RLP list helpers ------------------------------ */

/** RLP list whose items are already RLP-encoded (envelopes are relayed as received, never re-encoded). */
export function encodeRawList(items: Uint8Array[]): Uint8Array {
  let length = 0
  for (const item of items) length += item.length
  const header = lengthPrefix(0xc0, length)
  const out = new Uint8Array(header.length + length)
  out.set(header, 0)
  let offset = header.length
  for (const item of items) {
    out.set(item, offset)
    offset += item.length
  }
  return out
}

/** Size of the RLP list encodeRawList would build from items totalling `payloadLength` bytes. */
export function rawListSize(payloadLength: number): number {
  let header = 1
  if (payloadLength >= 56) for (let n = payloadLength; n > 0; n = Math.floor(n / 256)) header++
  return header + payloadLength
}

/**
 * The items of a top-level RLP list as raw slices of `data` (views, no copies), so each envelope's
 * hash is taken over the exact bytes the peer sent (as geth does). Throws on any malformed framing.
 */
export function splitRawList(data: Uint8Array, what: string): Uint8Array[] {
  return rawListSpans(data, what).map((item) => data.subarray(item.start, item.end))
}

/** Where each item of a top-level RLP list sits; throws on malformed framing or more than `maxItems` items. */
export function rawListSpans(data: Uint8Array, what: string, maxItems = Number.POSITIVE_INFINITY): RlpSpan[] {
  try {
    const outer = readRlpSpan(data, 0)
    if (!outer.list) throw new ShhProtocolError(`${what} is not an RLP list`)
    if (outer.end !== data.length) throw new ShhProtocolError(`${what} has trailing bytes`)
    return readRlpListSpans(data, outer, maxItems)
  } catch (err) {
    if (err instanceof RlpFormatError) throw new ShhProtocolError(`${what}: ${err.message}`)
    throw err
  }
}

function lengthPrefix(base: number, length: number): Uint8Array {
  if (length < 56) return Uint8Array.of(base + length)
  const bytes: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256)
  return Uint8Array.of(base + 55 + bytes.length, ...bytes)
}

/** Code 127 carries one envelope (geth) or a list of envelopes (status fork); tell them apart by the first item. */
export function splitP2PMessages(data: Uint8Array): Uint8Array[] {
  const items = splitRawList(data, 'P2P message')
  const first = items[0]
  if (first === undefined || (first[0] as number) >= 0xc0) return items
  return [data]
}

/* ------------------------------------ protocol ------------------------------------ */

export interface ShhCapabilityOptions {
  /** Largest accepted packet (uncompressed); larger ones disconnect the peer. */
  maxPacketBytes: number
  /** Refuse a light peer when we are light ourselves (geth RestrictConnectionBetweenLightClients). */
  localIsLight: () => boolean
  /** Most envelopes in one code-1 packet; more disconnects the peer before any is read. */
  maxEnvelopesPerPacket: number
}

/** Messages that may arrive between protocol construction and start(); a well-behaved peer sends at most its Status. */
const MAX_EARLY_MESSAGES = 8
/**
 * Messages held while a packet is worked on in slices. The socket is paused meanwhile, so only frames
 * already read with the packet's last chunk can queue up: one 64 KiB chunk holds at most a few thousand.
 */
const MAX_QUEUED_MESSAGES = 8192

/** One shh/6 connection: framing, handshake and the protocol-level disconnect rules. Envelope rules live in the node. */
export class ShhProtocol extends ProtocolBase {
  readonly peer: Peer
  private readonly options: ShhCapabilityOptions
  private handler: ShhHandler | null = null
  private early: Array<[number, Uint8Array]> = []
  /** Messages waiting for an unfinished (sliced) packet; non-null while one is being worked on. */
  private waiting: Array<[number, Uint8Array]> | null = null
  private remote: ShhStatus | null = null
  private closed = false

  constructor(version: number, peer: Peer, send: SendFrame, options: ShhCapabilityOptions) {
    super(peer, send, protocolType(SHH_NAME), version, ShhCode)
    this.peer = peer
    this.options = options
    guardInboundFrames(peer, options.maxPacketBytes)
    peer.events.once('close', () => {
      this.closed = true
      clearStatusTimer(this)
    })
  }

  /** The remote Status once accepted. */
  get remoteStatus(): ShhStatus | null {
    return this.remote
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Attach the node's handler, send our Status, then replay anything that arrived first. */
  start(handler: ShhHandler, local: LocalShhStatus): void {
    this.handler = handler
    this.send(ShhCode.Status, encodeStatus(local))
    const early = this.early
    this.early = []
    this.waiting = []
    this.waiting.push(...early)
    this.drain()
  }

  override _handleMessage(code: number, data: Uint8Array): void {
    if (data.length > this.options.maxPacketBytes) {
      throw new ShhProtocolError(`packet of ${data.length} bytes exceeds ${this.options.maxPacketBytes}`)
    }
    if (this.handler === null) {
      if (this.early.length >= MAX_EARLY_MESSAGES) throw new ShhProtocolError('too many messages before handshake')
      this.early.push([code, data])
      return
    }
    if (this.waiting !== null) {
      if (this.waiting.length >= MAX_QUEUED_MESSAGES) throw new ShhProtocolError('too many messages while busy')
      this.waiting.push([code, data])
      return
    }
    const work = this.dispatch(code, data)
    if (work !== undefined) this.await(work)
  }

  /** Hold this peer's traffic until `work` ends, then go on with what queued up meanwhile. */
  private await(work: Promise<void>): void {
    this.waiting ??= []
    peerSocket(this.peer).pause()
    work.then(
      () => this.drain(),
      (err: unknown) => this.fail(err)
    )
  }

  /** Dispatch queued messages until one starts sliced work (which drains again when done) or none are left. */
  private drain(): void {
    const queue = this.waiting ?? []
    while (queue.length > 0 && !this.closed) {
      const [code, data] = queue.shift() as [number, Uint8Array]
      let work: void | Promise<void>
      try {
        work = this.dispatch(code, data)
      } catch (err) {
        return this.fail(err)
      }
      if (work !== undefined) return this.await(work)
    }
    this.waiting = null
    if (!this.closed) peerSocket(this.peer).resume()
  }

  /** Outside the library's try/catch here, so disconnect the way it would have. */
  private fail(err: unknown): void {
    this.waiting = []
    if (this.closed) return
    this.peer.disconnect(DISCONNECT_REASON.SUBPROTOCOL_ERROR)
    this.peer.events.emit('error', err instanceof Error ? err : new Error(String(err)))
  }

  sendEnvelopes(rawEnvelopes: Uint8Array[]): number {
    return this.send(ShhCode.Messages, encodeRawList(rawEnvelopes))
  }

  sendPowRequirement(pow: number): void {
    this.send(ShhCode.PowRequirement, RLP.encode(encodePowBits(pow)))
  }

  sendBloom(bloom: Uint8Array): void {
    this.send(ShhCode.Bloom, RLP.encode(bloom))
  }

  sendP2PMessages(rawEnvelopes: Uint8Array[]): void {
    this.send(ShhCode.P2PMessage, encodeRawList(rawEnvelopes))
  }

  /** `payload` is already RLP (an encoded envelope or MessagesRequest). */
  sendP2PRequest(payload: Uint8Array): void {
    this.send(ShhCode.P2PRequest, payload)
  }

  sendRequestComplete(payload: Uint8Array): void {
    this.send(ShhCode.P2PRequestComplete, RLP.encode(payload))
  }

  /** Any code with an already RLP-encoded payload; returns the uncompressed size. */
  send(code: number, rlpPayload: Uint8Array): number {
    if (this.closed) return 0
    sendCompressed(this, code, rlpPayload)
    return rlpPayload.length
  }

  private dispatch(code: number, data: Uint8Array): void | Promise<void> {
    const handler = this.handler as ShhHandler
    if (this.remote === null) {
      if (code !== ShhCode.Status) throw new ShhProtocolError(`first message has code ${code}, expected Status`)
      const status = parseStatus(data)
      if (status.light && this.options.localIsLight()) throw new ShhProtocolError('useless peer: both sides are light nodes')
      this.remote = status
      clearStatusTimer(this)
      handler.onStatus(status)
      return
    }
    handler.onTraffic(data.length)
    switch (code) {
      case ShhCode.Status:
        return // geth ignores a repeated Status
      case ShhCode.Messages:
        return handler.onEnvelopes(data, rawListSpans(data, 'Messages packet', this.options.maxEnvelopesPerPacket))
      case ShhCode.PowRequirement: {
        const item = decodeRlp(data, 'PoW requirement')
        if (!(item instanceof Uint8Array)) throw new ShhProtocolError('PoW requirement is not an integer')
        return handler.onPowRequirement(decodePowBits(item))
      }
      case ShhCode.Bloom: {
        const item = decodeRlp(data, 'bloom')
        if (!(item instanceof Uint8Array) || item.length !== BLOOM_LENGTH) {
          throw new ShhProtocolError(`bloom packet must be ${BLOOM_LENGTH} bytes`)
        }
        return handler.onBloom(isFullBloom(item) ? null : item)
      }
      case ShhCode.P2PMessage:
        return handler.onP2PMessages(splitP2PMessages(data))
      case ShhCode.P2PRequest:
        return handler.onP2PRequest(data)
      case ShhCode.P2PRequestComplete: {
        const item = decodeRlp(data, 'request complete')
        if (!(item instanceof Uint8Array)) throw new ShhProtocolError('request complete is not a byte string')
        return handler.onRequestComplete(item)
      }
      default:
        return // unknown codes are ignored (EIP-627)
    }
  }
}

/** The shh/6 protocol object of a connection, if it has one. */
export function shhOf(peer: Peer): ShhProtocol | undefined {
  return (peer.getProtocols() as unknown[]).find((p): p is ShhProtocol => p instanceof ShhProtocol)
}

/** The `shh/6` capability for P2PHost; each connection gets a ShhProtocol bound to `options`. */
export function shhCapability(options: ShhCapabilityOptions) {
  class BoundShhProtocol extends ShhProtocol {
    constructor(version: number, peer: Peer, send: SendFrame) {
      super(version, peer, send, options)
    }
  }
  return capability(SHH_NAME, SHH_VERSION, SHH_LENGTH, BoundShhProtocol)
}

function decodeRlp(data: Uint8Array, what: string): Uint8Array | NestedUint8Array {
  try {
    return RLP.decode(data)
  } catch (err) {
    throw new ShhProtocolError(`${what} is not valid RLP: ${(err as Error).message}`)
  }
}

function isCanonicalUint(bytes: Uint8Array, maxBytes: number): boolean {
  return bytes.length <= maxBytes && (bytes.length === 0 || bytes[0] !== 0)
}

function uintOf(bytes: Uint8Array): number {
  if (!isCanonicalUint(bytes, 6)) throw new ShhProtocolError('Status version is not a canonical integer')
  let n = 0
  for (const b of bytes) n = n * 256 + b
  return n
}
