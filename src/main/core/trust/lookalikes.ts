import { type ChatKey, chatKeyIdentity } from './chat-key'
import { skeleton } from './skeleton'
import { TrustError } from './trust-error'

/** A key with every name it goes by: chosen name, three-word alias, ENS name. */
export interface NamedChatKey {
  publicKey: ChatKey
  names: readonly string[]
}

/**
 * The contacts whose names look like one of the candidate's names, in contact order: the people a
 * new key may be impersonating. A contact with the candidate's own key is never returned, whatever
 * encoding either key is in. Throws TrustError if the candidate's key is invalid.
 */
export function findLookalikes<C extends NamedChatKey>(candidate: NamedChatKey, contacts: readonly C[]): C[] {
  const candidateKey = chatKeyIdentity(candidate.publicKey)
  const candidateSkeletons = new Set(candidate.names.map(skeleton).filter((s) => s.length > 0))
  if (candidateSkeletons.size === 0) return []
  return contacts.filter(
    (contact) => contact.names.some((name) => candidateSkeletons.has(skeleton(name))) && !hasKey(contact, candidateKey)
  )
}

function hasKey(contact: NamedChatKey, identity: string): boolean {
  try {
    return chatKeyIdentity(contact.publicKey) === identity
  } catch (error) {
    // A stored contact with a broken key cannot be the candidate, who has a valid one.
    if (error instanceof TrustError) return false
    throw error
  }
}
