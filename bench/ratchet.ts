import { secp256k1Backend } from '../src/main/core/primitives/secp256k1-backend'
import {
  confirmMessageKey,
  initiatorRatchet,
  ratchetDecrypt,
  ratchetEncrypt,
  responderRatchet,
  type RatchetState
} from '../src/main/core/crypto/ratchet'
import { decodeRatchetState, encodeRatchetState } from '../src/main/core/crypto/ratchet-codec'
import { generatePrivateKey, publicKeyOf, secureRandom } from '../src/main/core/primitives/secp256k1'
import { x3dhInitiatorSecret } from '../src/main/core/crypto/x3dh'
import { rate } from './measure'
import type { BenchResult, BenchSuite } from './result'

const MESSAGE = new Uint8Array(1024).fill(0x61)

function newSession(): { alice: RatchetState; bob: RatchetState } {
  const bobIdentity = generatePrivateKey(secureRandom)
  const bobPreKey = generatePrivateKey(secureRandom)
  const sk = x3dhInitiatorSecret({
    myIdentityKey: generatePrivateKey(secureRandom),
    myEphemeralKey: generatePrivateKey(secureRandom),
    theirIdentityKey: publicKeyOf(bobIdentity),
    theirSignedPreKey: publicKeyOf(bobPreKey)
  })
  return { alice: initiatorRatchet(sk, publicKeyOf(bobPreKey), secureRandom), bob: responderRatchet(sk, bobPreKey) }
}

/** Encrypts on `from`, decrypts and confirms on `to`; returns both new states. */
function deliver(from: RatchetState, to: RatchetState): [RatchetState, RatchetState] {
  const sent = ratchetEncrypt(from, MESSAGE)
  const received = ratchetDecrypt(to, sent.header, sent.ciphertext, { random: secureRandom })
  return [sent.state, confirmMessageKey(received.state, received.messageKey)]
}

export const suite: BenchSuite = {
  title: 'Double Ratchet (1 KiB messages)',
  async run(): Promise<BenchResult[]> {
    let { alice, bob } = newSession()
    const oneWay = rate(3000, () => {
      ;[alice, bob] = deliver(alice, bob)
    })

    ;({ alice, bob } = newSession())
    let aliceTurn = true
    const alternating = rate(3000, () => {
      if (aliceTurn) [alice, bob] = deliver(alice, bob)
      else [bob, alice] = deliver(bob, alice)
      aliceTurn = !aliceTurn
    })

    const encoded = encodeRatchetState(bob)
    const roundTrip = rate(1000, () => {
      decodeRatchetState(encodeRatchetState(bob))
    })

    return [
      { name: 'ratchet encrypt+decrypt+confirm per second, one-way (no DH step)', value: oneWay, unit: 'msg/s', note: `ECDH backend: ${secp256k1Backend.name}` },
      {
        name: 'ratchet encrypt+decrypt+confirm per second, alternating directions (DH step every message)',
        value: alternating,
        unit: 'msg/s',
        note: `ECDH backend: ${secp256k1Backend.name}`
      },
      { name: 'ratchet state encode+decode per second', value: roundTrip, unit: 'ops/s', note: `${encoded.length}-byte state, no stored keys` }
    ]
  }
}
