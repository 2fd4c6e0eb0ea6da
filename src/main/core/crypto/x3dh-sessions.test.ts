import { create } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { DirectMessageProtocolSchema, DRHeaderSchema, X3DHHeaderSchema } from './gen/encryption/protocol_message_pb'
import { CryptoError } from '../primitives/crypto-error'
import { publicKeyOf } from '../primitives/secp256k1'
import { identityKeyHex, type Installation } from './installations'
import { RecordIds, type Session } from './protocol-state'
import { ratchetDecrypt, ratchetEncrypt } from './ratchet'
import { initiatorSession, responderSession, sendingSession, type SessionSetup } from './x3dh-sessions'

const key = (label: string) => sha256(utf8ToBytes(label))
let counter = 0
const random = (n: number) => sha256(utf8ToBytes(`x3dh-sessions-${counter++}`)).slice(0, n)
const alice = key('alice')
const bob = key('bob')
const bobPreKey = key('bob prekey')
const setup = (identityKey: Uint8Array): SessionSetup => ({ identityKey, ids: new RecordIds(identityKey), now: () => 1_600_000_000_000, random })
const installation: Installation = {
  id: 'bob-1',
  protocolVersion: 1,
  enabled: true,
  firstSeenMs: 0,
  lastSeenMs: 0,
  signedPreKey: publicKeyOf(bobPreKey, true),
  signedPreKeyVersion: 1
}

describe('X3DH sessions', () => {
  it('opens a session as initiator that the responder can answer from the X3DH header alone', () => {
    const bobHex = identityKeyHex(publicKeyOf(bob))
    const opened = initiatorSession(setup(alice), publicKeyOf(bob), bobHex, installation)
    expect(opened).toMatchObject({ role: 'initiator', installationId: 'bob-1', version: 0, theirX3dh: null })
    const sent = ratchetEncrypt(opened.ratchet, utf8ToBytes('hi'))
    const entry = create(DirectMessageProtocolSchema, {
      DRHeader: create(DRHeaderSchema, { key: sent.header.dh, n: sent.header.n, pn: sent.header.pn, id: opened.bundleId }),
      X3DHHeader: create(X3DHHeaderSchema, { key: opened.pendingX3dh!, id: opened.bundleId })
    })
    const aliceHex = identityKeyHex(publicKeyOf(alice))
    const answered = responderSession(setup(bob), () => bobPreKey, publicKeyOf(alice), aliceHex, 'alice-1', entry)
    expect(answered).toMatchObject({ role: 'responder', pendingX3dh: null, theirX3dh: opened.pendingX3dh })
    expect(new TextDecoder().decode(ratchetDecrypt(answered.ratchet, sent.header, sent.ciphertext, { random }).plaintext)).toBe('hi')

    const fail = (preKey: Uint8Array | undefined, changed: Partial<typeof entry>) => {
      try {
        responderSession(setup(bob), () => preKey, publicKeyOf(alice), aliceHex, 'alice-1', create(DirectMessageProtocolSchema, { ...entry, ...changed }))
      } catch (error) {
        return (error as CryptoError).code
      }
      return undefined
    }
    expect(fail(undefined, {})).toBe('INVALID_KEY')
    expect(fail(bobPreKey, { X3DHHeader: undefined })).toBe('INVALID_KEY')
    expect(fail(bobPreKey, { X3DHHeader: create(X3DHHeaderSchema, { key: opened.pendingX3dh!, id: new Uint8Array(33) }) })).toBe('CIPHERTEXT_MALFORMED')
  })

  it('sends on a current session, preferring one the peer answered in', () => {
    const peer = identityKeyHex(publicKeyOf(bob))
    const base = initiatorSession(setup(alice), publicKeyOf(bob), peer, installation)
    const ours = publicKeyOf(key('our prekey'), true)
    const session = (changes: Partial<Session>): Session => ({ ...base, ...changes })
    const pending = session({ sid: 'pending' })
    const answered = session({ sid: 'answered', pendingX3dh: null })
    const stale = session({ sid: 'stale', pendingX3dh: null, bundleId: publicKeyOf(key('old prekey'), true) })
    const theirs = session({ sid: 'theirs', role: 'responder', pendingX3dh: null, bundleId: ours })
    const otherDevice = session({ sid: 'other', installationId: 'bob-2', pendingX3dh: null })

    expect(sendingSession([pending, stale, otherDevice], peer, installation, ours)?.sid).toBe('pending')
    expect(sendingSession([pending, answered, stale], peer, installation, ours)?.sid).toBe('answered')
    expect(sendingSession([stale, otherDevice], peer, installation, ours)).toBeUndefined()
    expect(sendingSession([theirs, pending], peer, installation, ours)?.sid).toBe('theirs')
    expect(sendingSession([pending], peer, installation, undefined)?.sid).toBe('pending')
  })
})
