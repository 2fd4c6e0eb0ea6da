/**
 * Every work-around Hush needs for @ethereumjs/devp2p 10.0.0 to work at all, in one place, so the rest of
 * the code can pretend the library simply works (its speed-ups are in devp2p-speedups.ts). Each block
 * names the spec section (whisper-v6-devp2p.md §6) that verified the problem. Revisit this file whenever
 * the library version changes.
 */
import { promises as dnsPromises } from 'node:dns'
import { Socket as NetSocket, type Server, type Socket } from 'node:net'
import { DPT, Peer, SNAP, type Capabilities, type DPTOptions, type ProtocolType, type RLPx } from '@ethereumjs/devp2p'

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
