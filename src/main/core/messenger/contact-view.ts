import { hexToBytes } from '@noble/hashes/utils.js'
import type { Contact, Resemblance } from '../../../shared/api'
import { findLookalikes, type NamedChatKey } from '../trust/lookalikes'
import { skeleton } from '../trust/skeleton'
import type { ContactRecord } from './contact-book'
import { publicIdentityOfKey } from './identities'

interface Named extends NamedChatKey {
  publicKey: string
  alias: string
  record: ContactRecord
}

/**
 * Turns stored contacts into what the API shows, including the impersonation check: a key is flagged
 * when one of its names (chosen name, alias) looks like a name of a contact met before it. Only earlier
 * contacts count, so the person you knew first is never flagged for the newcomer copying them; a
 * verified contact is never flagged at all. Look-alikes are found through a skeleton index, so
 * listing all contacts stays linear in their number.
 */
export class ContactView {
  private readonly named: Named[]
  private readonly bySkeleton = new Map<string, Named[]>()

  constructor(records: readonly ContactRecord[]) {
    this.named = records.map((record) => {
      const alias = publicIdentityOfKey(hexToBytes(record.publicKey.slice(2))).alias
      return { publicKey: record.publicKey, alias, record, names: namesOf(alias, record.displayName) }
    })
    for (const entry of this.named) {
      for (const key of new Set(entry.names.map(skeleton))) {
        if (key.length === 0) continue
        const list = this.bySkeleton.get(key)
        if (list) list.push(entry)
        else this.bySkeleton.set(key, [entry])
      }
    }
  }

  all(): Contact[] {
    return this.named.map((entry) => this.contact(entry.publicKey, entry.record))
  }

  /**
   * A key with or without a record (`record` undefined: a stranger, checked against every contact under
   * the name they gave in a public chat, if any).
   */
  contact(publicKey: string, record: ContactRecord | undefined, strangerName?: string): Contact {
    const identity = publicIdentityOfKey(hexToBytes(publicKey.slice(2)))
    const displayName = record ? record.displayName : strangerName || undefined
    const resembles = record?.verifiedAt !== undefined ? [] : this.resemblances(publicKey, namesOf(identity.alias, displayName), record?.since)
    return {
      ...identity,
      ...(displayName ? { displayName } : {}),
      known: record !== undefined,
      added: record?.addedAt !== undefined,
      verified: record?.verifiedAt !== undefined,
      ...(record?.verifiedAt !== undefined ? { verifiedAt: record.verifiedAt } : {}),
      devices: record?.devices ?? [],
      newDevices: record?.newDevices ?? [],
      resembles
    }
  }

  /** Whether a key without a record, going by `alias` and the chosen name it gave, looks like any contact. */
  strangerResembles(publicKey: string, alias: string, name: string): boolean {
    return this.resemblances(publicKey, namesOf(alias, name || undefined), undefined).length > 0
  }

  private resemblances(publicKey: string, names: string[], since: number | undefined): Resemblance[] {
    const pool = new Set<Named>()
    for (const name of names) for (const entry of this.bySkeleton.get(skeleton(name)) ?? []) pool.add(entry)
    const earlier = [...pool].filter((entry) => since === undefined || entry.record.since < since).sort((a, b) => a.record.since - b.record.since)
    return findLookalikes({ publicKey, names }, earlier).map((entry) => ({
      publicKey: entry.publicKey,
      alias: entry.alias,
      ...(entry.record.displayName ? { displayName: entry.record.displayName } : {})
    }))
  }
}

function namesOf(alias: string, displayName: string | undefined): string[] {
  return displayName ? [displayName, alias] : [alias]
}
