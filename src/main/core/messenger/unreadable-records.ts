import type { Logger } from '../log/logger'
import type { StoreError } from '../storage/encrypted-store'

/** Drop reason (debug.drops) of a stored record that could not be decrypted, decoded or validated. */
export const UNREADABLE_RECORD = 'unreadable-stored-record'

/**
 * Stored records the messenger skipped because they could not be read. Such a record stays on disk untouched
 * and is left out of what the account loads or shows; it is logged by its opaque key and counted once, however
 * often a page read meets it again.
 */
export class UnreadableRecords {
  private readonly keys = new Set<string>()

  constructor(private readonly log: Logger) {}

  readonly report = (error: StoreError): void => {
    const key = error.recordKey ?? ''
    if (this.keys.has(key)) return
    this.keys.add(key)
    this.log.warn('unreadable stored record skipped', { record: key, error: error.message })
  }

  /** For debug.drops: nothing when every record read. */
  counts(): Record<string, number> {
    return this.keys.size > 0 ? { [UNREADABLE_RECORD]: this.keys.size } : {}
  }
}
