/**
 * Speed-ups of @ethereumjs/devp2p 10.0.0's hot paths, patched into the library's classes: the same bytes
 * and outcomes, measured cheaper (bench/whisper-relay.ts). The fixes it needs to work at all are in
 * devp2p-workarounds.ts; both keep the numbering of whisper-v6-devp2p.md §6. Revisit this file whenever
 * the library version changes.
 */
import { createCipheriv, type Cipheriv } from 'node:crypto'
import { createRequire } from 'node:module'
import { ECIES, MAC, Peer } from '@ethereumjs/devp2p'
import { concatBytes } from '@noble/hashes/utils.js'
import { createKeccak, type IHasher } from 'hash-wasm'

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
