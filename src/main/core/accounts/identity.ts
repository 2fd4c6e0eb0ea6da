import { aliasFromPublicKey } from './alias'
import { deriveKeys, type DerivedKeys } from './derivation'
import { identicon, type Identicon } from './identicon'
import { generateMnemonic, type RandomBytes } from './mnemonic'

/** Everything a screen shows about a chat identity, all derived from its public key. */
export interface PublicIdentity {
  publicKey: string
  compressedKey: string
  alias: string
  address: string
  identicon: Identicon
}

export interface Candidate extends PublicIdentity {
  mnemonic: string
}

export function publicIdentityOf(keys: DerivedKeys): PublicIdentity {
  return {
    publicKey: keys.publicKey,
    compressedKey: keys.compressedKey,
    alias: aliasFromPublicKey(keys.chatPublicKey),
    address: keys.wallet.address,
    identicon: identicon(keys.publicKey)
  }
}

/** Fresh identities for the "choose your name" screen; the chosen one's mnemonic goes to AccountStore.create. */
export async function generateCandidates(count: number, random?: RandomBytes): Promise<Candidate[]> {
  const candidates: Candidate[] = []
  for (let i = 0; i < count; i++) {
    const mnemonic = generateMnemonic(random)
    candidates.push({ mnemonic, ...publicIdentityOf(await deriveKeys(mnemonic)) })
  }
  return candidates
}
