import { ClassicLevel } from 'classic-level'
import { bloomMatches, topicToBloom } from './bloom'
import { decodeEnvelope, sentTime } from './envelope'
import type { HistoryQuery } from './mailserver-codec'
import type { PooledEnvelope } from './pool'

/** Archived envelopes: key sentTime(4, BE) ‖ hash(32) (geth mailserver layout), value the envelope RLP. */
export interface ArchivedEnvelope {
  key: Uint8Array
  hash: Uint8Array
  encoded: Uint8Array
}

export interface ArchivePage {
  /** Newest first. */
  envelopes: ArchivedEnvelope[]
  /** Key of the last envelope returned when more match; empty when the range is exhausted. */
  cursor: Uint8Array
}

export function archiveKey(sent: number, hash: Uint8Array): Uint8Array {
  const key = new Uint8Array(4 + hash.length)
  new DataView(key.buffer).setUint32(0, sent >>> 0)
  key.set(hash, 4)
  return key
}

function timeKey(sent: number): Uint8Array {
  return archiveKey(sent, new Uint8Array(0))
}

/**
 * The mailserver's on-disk history (LevelDB via classic-level). Keys sort by sent time, so time ranges,
 * cursors and retention pruning are all key-range operations.
 */
export class MailserverArchive {
  private constructor(private readonly db: ClassicLevel<Uint8Array, Uint8Array>) {}

  static async open(location: string): Promise<MailserverArchive> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    return new MailserverArchive(db)
  }

  async put(pooled: Pick<PooledEnvelope, 'envelope' | 'encoded' | 'hash'>): Promise<void> {
    await this.db.put(archiveKey(sentTime(pooled.envelope), pooled.hash), pooled.encoded)
  }

  /** Newest first within [lower, upper], only topics inside `bloom`, at most `limit`, continuing below `cursor`. */
  async query(q: HistoryQuery): Promise<ArchivePage> {
    const upperKey = archiveKey(q.upper, new Uint8Array(32).fill(0xff))
    const below = q.cursor.length > 0 && Buffer.compare(q.cursor, upperKey) <= 0 ? { lt: q.cursor } : { lte: upperKey }
    const envelopes: ArchivedEnvelope[] = []
    let more = false
    const iterator = this.db.iterator({ gte: timeKey(q.lower), ...below, reverse: true })
    try {
      for await (const [rawKey, rawValue] of iterator) {
        // LevelDB hands out Buffers; expose plain Uint8Arrays (no copy) like the rest of the codec.
        const key = plain(rawKey)
        const encoded = plain(rawValue)
        if (!bloomMatches(q.bloom, topicToBloom(decodeEnvelope(encoded).topic))) continue
        if (envelopes.length === q.limit) {
          more = true
          break
        }
        envelopes.push({ key, hash: key.slice(4), encoded })
      }
    } finally {
      await iterator.close()
    }
    const last = envelopes[envelopes.length - 1]
    return { envelopes, cursor: more && last ? last.key : new Uint8Array(0) }
  }

  /** Delete everything sent before `beforeSec`; returns how many went. */
  async prune(beforeSec: number): Promise<number> {
    let count = 0
    for await (const _ of this.db.keys({ lt: timeKey(beforeSec) })) count++
    if (count > 0) await this.db.clear({ lt: timeKey(beforeSec) })
    return count
  }

  async count(): Promise<number> {
    let count = 0
    for await (const _ of this.db.keys()) count++
    return count
  }

  async close(): Promise<void> {
    await this.db.close()
  }
}

function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
