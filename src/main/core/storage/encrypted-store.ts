import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ClassicLevel } from 'classic-level'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'

/** Why the encrypted store refused: bad arguments, a key that does not open this database, or a damaged record. */
export type StoreErrorCode = 'INVALID_ARGUMENT' | 'OPEN_FAILED' | 'WRONG_KEY' | 'VALUE_CORRUPT' | 'CLOSED'

export class StoreError extends Error {
  override readonly name = 'StoreError'

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The record whose value failed to decrypt or parse, when there is one. */
    readonly recordKey?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** Bounds of a key-ordered read: `from` inclusive, `to` exclusive. */
export interface IterateRange {
  from?: string
  to?: string
  reverse?: boolean
  limit?: number
}

/** Keys in order under a prefix: `next` reads the next one (undefined at the end), `seek` jumps forward. */
export interface KeyCursor {
  next(): Promise<string | undefined>
  seek(key: string): void
  close(): Promise<void>
}

export type StoreOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

export const STORE_KEY_LENGTH = 32
const NONCE_LENGTH = 12
const TAG_LENGTH = 16
/** Leading byte of every sealed value, so a later layout can be told apart from this one. */
const FORMAT_V1 = 1
/** Sealed with the store key at creation: opening with another key fails here instead of at the first read. */
const CHECK_KEY = 'meta/key-check'
const CHECK_PLAINTEXT = utf8ToBytes('hush encrypted store')
const STORE_KEY_INFO = utf8ToBytes('hush/encrypted-store/v1')
/** UTF-8 never contains 0xff, so prefix ‖ 0xff bounds every key that starts with prefix. */
const PREFIX_END = new Uint8Array([0xff])
/** Keys read from LevelDB per call by a key cursor (a seek drops what is left of a batch). */
const KEY_BATCH = 64

/**
 * The store key comes from the account's chat key, so it needs no separate secret and is lost with nothing
 * but the account itself. HKDF with a fixed label keeps it independent of every other use of that key.
 */
export function deriveStoreKey(chatPrivateKey: Uint8Array): Uint8Array {
  if (chatPrivateKey.length !== 32) {
    throw new StoreError('INVALID_ARGUMENT', `chat private key must be 32 bytes, got ${chatPrivateKey.length}`)
  }
  return hkdf(sha256, chatPrivateKey, undefined, STORE_KEY_INFO, STORE_KEY_LENGTH)
}

export function putOp(key: string, value: Uint8Array): StoreOp {
  return { type: 'put', key, value }
}

export function putJson(key: string, value: unknown): StoreOp {
  return putOp(key, utf8ToBytes(JSON.stringify(value)))
}

export function delOp(key: string): StoreOp {
  return { type: 'del', key }
}

/**
 * LevelDB (classic-level) where every value is AES-256-GCM sealed under one 32-byte key with a fresh random
 * nonce, and the record key is the associated data: a value copied onto another record fails to open.
 * Record keys are stored in clear, so callers keep them namespaced (`session/…`) and free of secrets.
 * Value layout: version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16).
 */
export class EncryptedStore {
  private closed = false

  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly key: Uint8Array
  ) {}

  static async open(dir: string, key: Uint8Array): Promise<EncryptedStore> {
    if (key.length !== STORE_KEY_LENGTH) {
      throw new StoreError('INVALID_ARGUMENT', `store key must be ${STORE_KEY_LENGTH} bytes, got ${key.length}`)
    }
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    try {
      await db.open()
    } catch (error) {
      throw new StoreError('OPEN_FAILED', `cannot open the protocol state database at ${dir}`, undefined, { cause: error })
    }
    const store = new EncryptedStore(db, Uint8Array.from(key))
    try {
      await store.checkKey()
    } catch (error) {
      await db.close()
      throw error
    }
    return store
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.assertOpen()
    const sealed = await this.db.get(encodeKey(key))
    return sealed === undefined ? undefined : this.open(key, sealed)
  }

  /**
   * All ops land or none do. With `sync`, the batch is on disk when this resolves (LevelDB fsyncs its log):
   * otherwise a power failure may lose it even though it resolved, as the OS had not written it yet.
   */
  async batch(ops: readonly StoreOp[], options: { sync?: boolean } = {}): Promise<void> {
    this.assertOpen()
    if (ops.length === 0) return
    const encoded = ops.map((op) =>
      op.type === 'put'
        ? { type: 'put' as const, key: encodeKey(op.key), value: this.seal(op.key, op.value) }
        : { type: 'del' as const, key: encodeKey(op.key) }
    )
    await this.db.batch(encoded, { sync: options.sync === true })
  }

  /**
   * Records whose key starts with `prefix`, in key order (or reversed), decrypted. `range` narrows them to
   * keys at or after `from` and before `to` (both within the prefix) and stops after `limit` records. A value
   * that fails to open ends the iteration with a StoreError, or, given `onUnreadable`, is reported there and
   * skipped (it still counts towards `limit`).
   */
  async *iterate(prefix: string, range: IterateRange = {}, onUnreadable?: (error: StoreError) => void): AsyncGenerator<[string, Uint8Array]> {
    this.assertOpen()
    const start = encodeKey(prefix, true)
    const from = range.from === undefined ? start : encodeKey(range.from)
    const to = range.to === undefined ? concatBytes(start, PREFIX_END) : encodeKey(range.to)
    const iterator = this.db.iterator({ gte: from, lt: to, reverse: range.reverse ?? false, limit: range.limit ?? -1 })
    try {
      for await (const [rawKey, sealed] of iterator) {
        const key = new TextDecoder().decode(rawKey)
        let value: Uint8Array
        try {
          value = this.open(key, sealed)
        } catch (error) {
          if (!onUnreadable || !(error instanceof StoreError)) throw error
          onUnreadable(error)
          continue
        }
        yield [key, value]
      }
    } finally {
      await iterator.close()
    }
  }

  /** Keys of the records `iterate` would read with the same arguments, without opening any value. */
  async *keys(prefix: string, range: IterateRange = {}): AsyncGenerator<string> {
    this.assertOpen()
    const start = encodeKey(prefix, true)
    const from = range.from === undefined ? start : encodeKey(range.from)
    const to = range.to === undefined ? concatBytes(start, PREFIX_END) : encodeKey(range.to)
    const iterator = this.db.keys({ gte: from, lt: to, reverse: range.reverse ?? false, limit: range.limit ?? -1 })
    try {
      for await (const rawKey of iterator) yield new TextDecoder().decode(rawKey)
    } finally {
      await iterator.close()
    }
  }

  /**
   * Record keys under `prefix` in key order, read in batches, with a seek forward: for records whose key is
   * all they say (an index). Nothing is read or decrypted, so nothing authenticates a key read this way:
   * what it points to must be read with `get`.
   */
  keyCursor(prefix: string): KeyCursor {
    this.assertOpen()
    const start = encodeKey(prefix, true)
    const iterator = this.db.keys({ gte: start, lt: concatBytes(start, PREFIX_END) })
    const decoder = new TextDecoder()
    let buffered: Uint8Array[] = []
    let ended = false
    return {
      async next() {
        if (buffered.length === 0 && !ended) {
          buffered = (await iterator.nextv(KEY_BATCH)).reverse()
          ended = buffered.length === 0
        }
        const key = buffered.pop()
        return key === undefined ? undefined : decoder.decode(key)
      },
      seek(key) {
        buffered = []
        ended = false
        iterator.seek(encodeKey(key))
      },
      close: () => iterator.close()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.key.fill(0)
    await this.db.close()
  }

  private async checkKey(): Promise<void> {
    const sealed = await this.db.get(encodeKey(CHECK_KEY))
    if (sealed === undefined) {
      await this.db.put(encodeKey(CHECK_KEY), this.seal(CHECK_KEY, CHECK_PLAINTEXT))
      return
    }
    try {
      this.open(CHECK_KEY, sealed)
    } catch (error) {
      throw new StoreError('WRONG_KEY', 'the protocol state database was created with another key', CHECK_KEY, { cause: error })
    }
  }

  private seal(recordKey: string, plaintext: Uint8Array): Uint8Array {
    const nonce = new Uint8Array(randomBytes(NONCE_LENGTH))
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce)
    cipher.setAAD(encodeKey(recordKey))
    return concatBytes(new Uint8Array([FORMAT_V1]), nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag())
  }

  private open(recordKey: string, sealed: Uint8Array): Uint8Array {
    if (sealed.length < 1 + NONCE_LENGTH + TAG_LENGTH || sealed[0] !== FORMAT_V1) {
      throw new StoreError('VALUE_CORRUPT', `stored value for "${recordKey}" is malformed`, recordKey)
    }
    const tagAt = sealed.length - TAG_LENGTH
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 1 + NONCE_LENGTH))
    decipher.setAAD(encodeKey(recordKey))
    decipher.setAuthTag(sealed.subarray(tagAt))
    const head = decipher.update(sealed.subarray(1 + NONCE_LENGTH, tagAt))
    try {
      return concatBytes(head, decipher.final())
    } catch (error) {
      throw new StoreError('VALUE_CORRUPT', `stored value for "${recordKey}" failed authentication`, recordKey, { cause: error })
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'the protocol state database is closed')
  }
}

function encodeKey(key: string, allowEmpty = false): Uint8Array {
  if (typeof key !== 'string' || (!allowEmpty && key.length === 0)) {
    throw new StoreError('INVALID_ARGUMENT', 'record key must be a non-empty string')
  }
  return utf8ToBytes(key)
}
