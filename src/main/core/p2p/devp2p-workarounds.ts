/**
 * Every work-around Hush needs for @ethereumjs/devp2p 10.0.0, in one place, so the rest of the code
 * can pretend the library simply works. Each block names the spec section (whisper-v6-devp2p.md §6)
 * that verified the problem. Revisit this file whenever the library version changes.
 */
import { createCipheriv, type Cipheriv } from 'node:crypto'
import { promises as dnsPromises } from 'node:dns'
import { createRequire } from 'node:module'
import { Socket as NetSocket, type Server, type Socket } from 'node:net'
import { DPT, ECIES, MAC, Peer, SNAP, type Capabilities, type DPTOptions, type ProtocolType, type RLPx } from '@ethereumjs/devp2p'
import { concatBytes } from '@noble/hashes/utils.js'
import { createKeccak, type IHasher } from 'hash-wasm'

/* ------------------------------------------------------------------------------------------------
 * 1. The Protocol base class is not exported (§6.1, §6.4). Every shipped sub-protocol extends it,
 *    so it is reachable as the prototype of SNAP. Its declared type has protected members, so we
 *    describe the parts we use with a local interface instead.
 * ---------------------------------------------------------------------------------------------- */

/** The library's per-connection send function: adds the capability offset and writes one frame. */
export type SendFrame = (code: number, data: Uint8Array) => unknown

/** The members of the library's Protocol base class that a sub-protocol relies on. */
export interface ProtocolInstance {
  _version: number
  _peer: Peer
  _send: SendFrame
  _statusTimeoutId?: ReturnType<typeof setTimeout>
  /** Called by Peer with a relative code and snappy-decompressed, not RLP-decoded, data. Throwing disconnects. */
  _handleMessage(code: number, data: Uint8Array): void
}

type ProtocolBaseConstructor = abstract new (
  peer: Peer,
  send: SendFrame,
  protocolType: ProtocolType,
  version: number,
  messageCodes: Record<string | number, string | number>
) => ProtocolInstance

export const ProtocolBase = Object.getPrototypeOf(SNAP) as ProtocolBaseConstructor

/**
 * The base class only uses the type string to name debug loggers and to skip the status timer for
 * 'snap'; any other name keeps the timer (wanted: a peer that never sends Status is dropped).
 */
export function protocolType(name: string): ProtocolType {
  return name as unknown as ProtocolType
}

/** A capability entry for RLPx; the cast is needed because our class is not the declared Protocol. */
export function capability(
  name: string,
  version: number,
  length: number,
  constructor: new (version: number, peer: Peer, send: SendFrame) => ProtocolInstance
): Capabilities {
  return { name, version, length, constructor: constructor as unknown as Capabilities['constructor'] }
}

/* ------------------------------------------------------------------------------------------------
 * 2. The base constructor arms a 5 s timer that disconnects with TIMEOUT (§6.5). It must be cleared
 *    once the remote Status is accepted, and when the connection closes before that, so a closed
 *    peer does not keep the process alive.
 * ---------------------------------------------------------------------------------------------- */

export function clearStatusTimer(protocol: ProtocolInstance): void {
  clearTimeout(protocol._statusTimeoutId)
  protocol._statusTimeoutId = undefined
}

/* ------------------------------------------------------------------------------------------------
 * 3. Peer decompresses sub-protocol payloads but does not compress them (§6.3, §6.6): with a remote
 *    that speaks p2p v5+ every payload after Hello must be snappy-encoded by us. Whisper payloads are
 *    ciphertext and do not compress, and snappyjs' compressor cost ~15 % of a relay's CPU, so we emit
 *    snappy's literal-only form (a valid block any decoder accepts: length varint, one literal).
 * ---------------------------------------------------------------------------------------------- */

export function sendCompressed(protocol: ProtocolInstance, code: number, payload: Uint8Array): void {
  const hello = protocol._peer.getHelloMessage()
  protocol._send(code, hello !== null && hello.protocolVersion >= 5 ? snappyLiteral(payload) : payload)
}

/** `payload` as one snappy block holding a single literal element. */
export function snappyLiteral(payload: Uint8Array): Uint8Array {
  const n = payload.length
  const header: number[] = []
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      header.push(v)
      break
    }
    header.push((v % 128) | 0x80)
  }
  if (n > 0) {
    if (n <= 60) {
      header.push((n - 1) << 2)
    } else {
      const len: number[] = []
      for (let v = n - 1; v > 0; v = Math.floor(v / 256)) len.push(v % 256)
      header.push((59 + len.length) << 2, ...len)
    }
  }
  const out = new Uint8Array(header.length + n)
  out.set(header, 0)
  out.set(payload, header.length)
  return out
}

/* ------------------------------------------------------------------------------------------------
 * 4. Peer._handleBody reads the frame's message id as one byte (§6.7), but RLP encodes ids 128..255
 *    as `0x81 id`, so shh codes 112..127 (mailserver traffic) arrive mangled and the peer is dropped.
 *    We wrap this connection's ECIES parseBody and drop the 0x81 prefix, so the library's one-byte
 *    read sees the real id. Absolute id 128 (`0x81 0x80`) stays ambiguous; shh at offset 16 never
 *    uses it.
 * 5. The library uncompresses snappy payloads without a size limit (§6.6): a 7-byte frame may claim
 *    2 GiB. In the same wrapper we read snappy's declared length and refuse anything above our cap
 *    before any allocation. Throwing there makes Peer disconnect with SUBPROTOCOL_ERROR and emit
 *    'error' with our InboundTooLargeError. A frame whose header announces more than any payload
 *    within the cap can take (snappy's worst-case expansion) is refused at the header, before the
 *    library buffers, authenticates and decrypts megabytes it would then throw away.
 * ---------------------------------------------------------------------------------------------- */

export class InboundTooLargeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`inbound message of ${size} bytes exceeds the ${limit}-byte limit`)
    this.name = 'InboundTooLargeError'
  }
}

interface EciesSession {
  parseHeader(data: Uint8Array): number | undefined
  parseBody(data: Uint8Array): Uint8Array | undefined
}

/** The largest frame body (message id + snappy block) a payload of `payloadBytes` can need. */
function maxFrameBytes(payloadBytes: number): number {
  return 2 + 32 + payloadBytes + Math.ceil(payloadBytes / 6)
}

const guarded = new WeakSet<Peer>()

/** Install 4 and 5 on one connection; call before the first sub-protocol frame can arrive. */
export function guardInboundFrames(peer: Peer, maxPayloadBytes: number): void {
  if (guarded.has(peer)) return
  guarded.add(peer)
  const session = peer['_eciesSession'] as unknown as EciesSession
  const parseHeader = session.parseHeader.bind(session)
  session.parseHeader = (data) => {
    const size = parseHeader(data)
    if (size !== undefined && size > maxFrameBytes(maxPayloadBytes)) throw new InboundTooLargeError(size, maxPayloadBytes)
    return size
  }
  const parseBody = session.parseBody.bind(session)
  session.parseBody = (data) => {
    let body = parseBody(data)
    if (body === undefined) return body
    if (body.length >= 2 && body[0] === 0x81 && (body[1] as number) > 0x80) body = body.subarray(1)
    const hello = peer.getHelloMessage()
    const payload = body.subarray(1)
    const size = hello !== null && hello.protocolVersion >= 5 ? snappyDeclaredLength(payload) : payload.length
    if (size > maxPayloadBytes) throw new InboundTooLargeError(size, maxPayloadBytes)
    return body
  }
}

/** The uncompressed length from a snappy block's varint preamble (-1 if malformed, which snappy rejects). */
function snappyDeclaredLength(block: Uint8Array): number {
  let length = 0
  for (let i = 0, shift = 0; i < block.length && shift < 35; i++, shift += 7) {
    const byte = block[i] as number
    length += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return length
  }
  return -1
}

/* ------------------------------------------------------------------------------------------------
 * 6. Constructing any DPT builds a DNS-discovery helper that calls dns.promises.setServers(['8.8.8.8'])
 *    for the whole process, even with DNS discovery off (§6.10). We restore the previous servers.
 *    DNS discovery itself stays off: there is no public Whisper tree.
 * ---------------------------------------------------------------------------------------------- */

export function createDpt(privateKey: Uint8Array, options: DPTOptions): DPT {
  const servers = dnsPromises.getServers()
  try {
    return new DPT(privateKey, { ...options, shouldGetDnsPeers: false })
  } finally {
    dnsPromises.setServers(servers)
  }
}

/* ------------------------------------------------------------------------------------------------
 * 7. RLPx only learns its port from the `listenPort` option, which it puts in Hello, and keeps its
 *    server private. Listening on port 0 (tests, several nodes on one machine) therefore needs us to
 *    read the bound address back and correct what Hello will advertise.
 * ---------------------------------------------------------------------------------------------- */

export function adoptBoundPort(rlpx: RLPx): { host: string; port: number } {
  const server = rlpx['_server'] as unknown as Server | null
  const address = server?.address()
  if (address === null || address === undefined || typeof address === 'string') {
    throw new Error('RLPx server is not listening on a TCP address')
  }
  ;(rlpx as unknown as { _listenPort: number })._listenPort = address.port
  return { host: address.address, port: address.port }
}

/* ------------------------------------------------------------------------------------------------
 * 8. Every RLPx frame runs through two running keccak MACs, which the library computes with pure-JS
 *    keccak (~14 MB/s here). Whisper payloads are ciphertext, so snappy leaves them full size and the
 *    MACs dominated a relay's CPU. We move MACs onto hash-wasm's keccak (same digests): while the
 *    library's ECIES._setupFrame creates a connection's two MACs, their first update() swaps in a
 *    wasm-backed state. MACs created before this is installed keep the JS hasher, so no live
 *    connection ever changes hasher mid-stream. Installed once per process; idempotent.
 * ---------------------------------------------------------------------------------------------- */

/** The two members of the library's keccak hasher that MAC uses. */
export interface MacHash {
  update(data: Uint8Array): unknown
  clone(): { digest(): Uint8Array }
}

/** A MAC's running keccak as a saved hash-wasm state; one wasm instance serves every MAC. */
class WasmMacHash implements MacHash {
  constructor(
    private readonly hasher: IHasher,
    private state: Uint8Array
  ) {}

  update(data: Uint8Array): this {
    this.hasher.load(this.state)
    this.hasher.update(data)
    this.state = this.hasher.save()
    return this
  }

  clone(): { digest(): Uint8Array } {
    const { hasher, state } = this
    return {
      digest: () => {
        hasher.load(state)
        return hasher.digest('binary')
      }
    }
  }
}

let sharedHasher: Promise<IHasher> | null = null
let wasmMacs: Promise<void> | null = null

function macHasher(): Promise<IHasher> {
  sharedHasher ??= createKeccak(256)
  return sharedHasher
}

/** A fresh MacHash on the shared wasm instance, exactly as installed into MACs (exported for tests). */
export async function createWasmMacHash(): Promise<MacHash> {
  const hasher = await macHasher()
  hasher.init()
  return new WasmMacHash(hasher, hasher.save())
}

export function useWasmFrameMacs(): Promise<void> {
  wasmMacs ??= macHasher().then((hasher) => {
    hasher.init()
    const fresh = hasher.save()
    const macProto = MAC.prototype as unknown as { _hash: MacHash; update(data: Uint8Array): void }
    const eciesProto = ECIES.prototype as unknown as { _setupFrame(...args: unknown[]): void }
    const update = macProto.update
    const setupFrame = eciesProto._setupFrame
    let creatingMacs = false
    macProto.update = function (this: { _hash: MacHash }, data: Uint8Array) {
      if (creatingMacs && !(this._hash instanceof WasmMacHash)) this._hash = new WasmMacHash(hasher, fresh)
      update.call(this, data)
    }
    eciesProto._setupFrame = function (this: unknown, ...args: unknown[]) {
      creatingMacs = true
      try {
        setupFrame.apply(this, args)
      } finally {
        creatingMacs = false
      }
    }
  })
  return wasmMacs
}

/* ------------------------------------------------------------------------------------------------
 * 9. Peer snappy-decompresses every inbound frame with snappyjs, which copies literal elements one
 *    byte at a time; Whisper payloads are ciphertext, so frames are nearly all literal bytes and
 *    that loop was ~5 % of a relay's CPU. For a block made only of literals we copy each one with
 *    TypedArray.set; anything else goes to snappyjs' own decoder untouched. The outcome (bytes
 *    written, and false for a malformed block) is the original's: same bounds checks, same
 *    silent clipping at the end of the output. snappyjs is CommonJS, so the module Peer imported
 *    is the one require() returns here. Installed once per process; idempotent.
 * ---------------------------------------------------------------------------------------------- */

/** The part of snappyjs' decompressor state the fast path reads. */
export interface SnappyDecompressorState {
  array: Uint8Array
  /** Position after the length preamble (readUncompressedLength has run). */
  pos: number
}

type UncompressToBuffer = (this: SnappyDecompressorState, out: Uint8Array) => boolean

const SNAPPY_WORD_MASK = [0, 0xff, 0xffff, 0xffffff, 0xffffffff] as const

/**
 * Decode a literal-only block with set() copies: true/false as snappyjs would answer, or null as
 * soon as a copy element appears (the caller then runs snappyjs' decoder from the start).
 */
export function uncompressLiterals(state: SnappyDecompressorState, out: Uint8Array): boolean | null {
  const array = state.array
  const arrayLength = array.length
  let pos = state.pos
  let outPos = 0
  while (pos < arrayLength) {
    const c = array[pos] as number
    if ((c & 0x3) !== 0) return null
    pos += 1
    let len = (c >>> 2) + 1
    if (len > 60) {
      if (pos + 3 >= arrayLength) return false
      const smallLen = len - 60
      len =
        (array[pos] as number) +
        ((array[pos + 1] as number) << 8) +
        ((array[pos + 2] as number) << 16) +
        ((array[pos + 3] as number) << 24)
      len = (len & (SNAPPY_WORD_MASK[smallLen as 1 | 2 | 3 | 4] as number)) + 1
      pos += smallLen
    }
    if (pos + len > arrayLength) return false
    const fits = Math.min(len, out.length - outPos)
    if (fits > 0) out.set(array.subarray(pos, pos + fits), outPos)
    pos += len
    outPos += len
  }
  return true
}

let fastSnappy = false

export function useFastSnappyLiterals(): void {
  if (fastSnappy) return
  fastSnappy = true
  const require = createRequire(import.meta.url)
  const { SnappyDecompressor } = require('snappyjs/snappy_decompressor.js') as {
    SnappyDecompressor: { prototype: { uncompressToBuffer: UncompressToBuffer } }
  }
  const original = SnappyDecompressor.prototype.uncompressToBuffer
  SnappyDecompressor.prototype.uncompressToBuffer = function (out) {
    return uncompressLiterals(this, out) ?? original.call(this, out)
  }
}

/* ------------------------------------------------------------------------------------------------
 * 10. MAC.updateHeader and MAC.updateBody build a new AES-256-ECB cipher on every call, four per
 *     frame exchanged (~2.5 % of a relay's CPU). ECB keeps no state between 16-byte blocks, so one
 *     cipher per MAC, made on first use, gives the same bytes; these two methods are otherwise
 *     exactly the library's. Installed once per process; idempotent.
 * ---------------------------------------------------------------------------------------------- */

/** The library MAC's members the two methods use. */
interface FrameMac {
  _secret: Uint8Array
  _hash: MacHash
  _ecb?: Cipheriv
  digest(): Uint8Array
}

/** `aes(block) xor seed`, 16 bytes, with the MAC's one ECB cipher: what the library feeds into a frame MAC. */
function encryptXor(mac: FrameMac, block: Uint8Array, seed: Uint8Array): Uint8Array {
  mac._ecb ??= createCipheriv('aes-256-ecb', mac._secret, null)
  const encrypted = mac._ecb.update(block)
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = (encrypted[i] as number) ^ (seed[i] as number)
  return out
}

let reusedMacCiphers = false

export function reuseMacCiphers(): void {
  if (reusedMacCiphers) return
  reusedMacCiphers = true
  const macProto = MAC.prototype as unknown as {
    updateHeader(this: FrameMac, data: Uint8Array): void
    updateBody(this: FrameMac, data: Uint8Array): void
  }
  macProto.updateHeader = function (data) {
    this._hash.update(encryptXor(this, this.digest(), data))
  }
  macProto.updateBody = function (data) {
    this._hash.update(data)
    const prev = this.digest()
    this._hash.update(encryptXor(this, prev, prev))
  }
}

/* ------------------------------------------------------------------------------------------------
 * 11. RLPx hands every accepted socket straight to a Peer, which waits for the Auth message forever
 *     and has no limit on how many such sockets exist. We take over the server's 'connection'
 *     listener so the host can refuse a socket (caps on pending handshakes) and arm its own
 *     handshake timer before the library sees it. A refused socket is destroyed unseen by RLPx.
 * ---------------------------------------------------------------------------------------------- */

export function admitInbound(rlpx: RLPx, admit: (socket: Socket) => boolean): void {
  const server = rlpx['_server'] as unknown as Server | null
  if (server === null) throw new Error('RLPx server is gone')
  const onConnect = (rlpx as unknown as { _onConnect(socket: Socket, peerId: null): void })._onConnect.bind(rlpx)
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    if (admit(socket)) onConnect(socket, null)
    else socket.destroy()
  })
}

/** The socket of a dial that has connected but not finished the RLPx handshake (RLPx keys it by id until then). */
export function pendingDialSocket(rlpx: RLPx, idHex: string): Socket | null {
  const entry = (rlpx['_peers'] as unknown as Map<string, unknown>).get(idHex)
  return entry instanceof NetSocket ? entry : null
}

/** A connection's socket (private in Peer): for pausing reads, byte counts and closing without the library's 2 s delay. */
export function peerSocket(peer: Peer): Socket {
  return peer['_socket'] as unknown as Socket
}

/* ------------------------------------------------------------------------------------------------
 * 12. Peer._onSocketData appends every TCP chunk to everything buffered so far with a fresh copy
 *     (spec §6.11), so a frame of n bytes arriving in chunks of c bytes costs n²/2c bytes of copying:
 *     an 8 MiB packet in 64 KiB chunks copied half a gigabyte and kept the relay busy for seconds.
 *     We hold chunks aside until the frame part the library waits for (_nextPacketSize) is complete,
 *     then hand it everything in one piece; what the library sees is the same bytes, once.
 *     Installed once per process; idempotent.
 * ---------------------------------------------------------------------------------------------- */

interface SocketReader {
  _closed: boolean
  _socketData: Uint8Array
  _nextPacketSize: number
  _onSocketData(data: Uint8Array): void
}

let bufferedReads = false

export function bufferSocketReads(): void {
  if (bufferedReads) return
  bufferedReads = true
  const proto = Peer.prototype as unknown as SocketReader
  const original = proto._onSocketData
  const held = new WeakMap<SocketReader, { chunks: Uint8Array[]; bytes: number }>()
  proto._onSocketData = function (data) {
    if (this._closed) return
    let waiting = held.get(this)
    if (waiting === undefined) {
      waiting = { chunks: [], bytes: 0 }
      held.set(this, waiting)
    }
    if (this._socketData.length + waiting.bytes + data.length < this._nextPacketSize) {
      waiting.chunks.push(data)
      waiting.bytes += data.length
      return
    }
    if (waiting.chunks.length === 0) return original.call(this, data)
    const joined = concatBytes(this._socketData, ...waiting.chunks, data)
    waiting.chunks = []
    waiting.bytes = 0
    this._socketData = new Uint8Array(0)
    original.call(this, joined)
  }
}
