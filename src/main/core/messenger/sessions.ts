import type { Bundle } from '../protocol/gen/encryption/protocol_message_pb'
import type { StoreOp } from '../storage/encrypted-store'

/*
 * What the messenger needs of the secure-transport session manager (crypto/session-manager.ts, brief S):
 * two-phase encrypt/decrypt whose state writes the messenger commits together with its own records.
 */

export type DecryptOutcome =
  | { kind: 'message'; payload: Uint8Array; installationId: string; writes: StoreOp[]; confirm(): void }
  | { kind: 'bundle-only'; writes: StoreOp[] }
  | { kind: 'not-for-us' }

export interface SharedSecretEvent {
  /** "0x04…" key of the peer. */
  peer: string
  secret: Uint8Array
  /** Every known installation of the peer has replied: 1:1 messages may move to the negotiated topic. */
  negotiatedReady: boolean
}

export interface SecureSessions {
  ownBundle(): Bundle
  encrypt(recipient: Uint8Array, payload: Uint8Array): Promise<{ protocolMessage: Uint8Array; writes: StoreOp[] }>
  decrypt(sender: Uint8Array, protocolMessage: Uint8Array): Promise<DecryptOutcome>
  on(event: 'sharedSecret', listener: (event: SharedSecretEvent) => void): unknown
  off(event: 'sharedSecret', listener: (event: SharedSecretEvent) => void): unknown
}
