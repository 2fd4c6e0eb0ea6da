import { equalBytes } from '@noble/ciphers/utils.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { DirectMessageProtocol } from './gen/encryption/protocol_message_pb'
import { CryptoError } from '../primitives/crypto-error'
import type { RandomBytes } from '../primitives/secp256k1'
import type { Installation } from './installations'
import type { RecordIds, Session } from './protocol-state'
import { initiatorRatchet, responderRatchet } from './ratchet'
import { performActiveX3dh, x3dhResponderSecret } from './x3dh'

/** Which ratchet session to send on, and new sessions from X3DH as the initiator or the responder. */

export interface SessionSetup {
  identityKey: Uint8Array
  ids: RecordIds
  now: () => number
  random: RandomBytes
}

/**
 * The session to send on, as status-go picks it: one whose prekey is still current (their newest for a
 * session we opened, our newest `ourPreKey` for one they opened); among several, one the peer has answered
 * in, then the lowest bundle id, so two devices that opened sessions at once settle on the same one.
 */
export function sendingSession(sessions: Iterable<Session>, peer: string, installation: Installation, ourPreKey: Uint8Array | undefined): Session | undefined {
  let best: Session | undefined
  for (const session of sessions) {
    if (session.peer !== peer || session.installationId !== installation.id) continue
    const current = session.role === 'initiator' ? installation.signedPreKey : ourPreKey
    if (!current || !equalBytes(session.bundleId, current)) continue
    if (!best || compareSessions(session, best) < 0) best = session
  }
  return best
}

/** A session we open on the installation's current signed prekey (active X3DH). */
export function initiatorSession(setup: SessionSetup, theirKey: Uint8Array, peer: string, installation: Installation): Session {
  const x3dh = performActiveX3dh(setup.identityKey, theirKey, installation.signedPreKey, setup.random)
  return {
    sid: setup.ids.session(peer, x3dh.signedPreKeyId, installation.id),
    peer,
    installationId: installation.id,
    bundleId: x3dh.signedPreKeyId,
    role: 'initiator',
    pendingX3dh: x3dh.ephemeralPublicKey,
    theirX3dh: null,
    createdMs: setup.now(),
    version: 0,
    ratchet: initiatorRatchet(x3dh.sharedKey, installation.signedPreKey, setup.random)
  }
}

/** A first message in a session the peer opened: X3DH as the responder, on the prekey of ours it names. */
export function responderSession(
  setup: SessionSetup,
  preKeyOf: (bundleId: Uint8Array) => Uint8Array | undefined,
  theirKey: Uint8Array,
  peer: string,
  installationId: string,
  entry: DirectMessageProtocol
): Session {
  const x3dh = entry.X3DHHeader
  const bundleId = entry.DRHeader!.id
  if (!x3dh) throw new CryptoError('INVALID_KEY', 'no ratchet session for this sender, installation and bundle id')
  if (!equalBytes(x3dh.id, bundleId)) throw new CryptoError('CIPHERTEXT_MALFORMED', 'X3DH and ratchet headers name different bundles')
  const preKey = preKeyOf(bundleId)
  if (!preKey) throw new CryptoError('INVALID_KEY', 'X3DH message was built on a signed prekey this installation does not have')
  const sharedKey = x3dhResponderSecret({
    myIdentityKey: setup.identityKey,
    mySignedPreKey: preKey,
    theirIdentityKey: theirKey,
    theirEphemeralKey: x3dh.key
  })
  return {
    sid: setup.ids.session(peer, bundleId, installationId),
    peer,
    installationId,
    bundleId,
    role: 'responder',
    pendingX3dh: null,
    theirX3dh: x3dh.key,
    createdMs: setup.now(),
    version: 0,
    ratchet: responderRatchet(sharedKey, preKey)
  }
}

export function compareSessions(a: Session, b: Session): number {
  const answered = Number(a.pendingX3dh !== null) - Number(b.pendingX3dh !== null)
  if (answered !== 0) return answered
  const ah = bytesToHex(a.bundleId)
  const bh = bytesToHex(b.bundleId)
  return ah < bh ? -1 : ah > bh ? 1 : 0
}
