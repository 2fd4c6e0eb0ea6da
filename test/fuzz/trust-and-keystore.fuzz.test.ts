import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { AccountError } from '../../src/main/core/accounts/account-error'
import { decryptKeystore, encryptKeystore, parseKeystore, uuidV4, type Keystore } from '../../src/main/core/accounts/keystore'
import { FakeKdf } from '../../src/main/core/testing/fake-kdf'
import { ALICE_IK, BOB_IK } from '../../src/main/core/trust/test-keys'
import { compareScannedQr, parseVerificationQr, verificationQrPayload } from '../../src/main/core/trust/verification-qr'
import { assertProperty, assertAsyncProperty, onlyRejects, onlyThrows } from './harness'

const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length })
/** Text near the QR grammar: the right prefix, colons, digit runs, case and whitespace changes. */
const qrLike = fc
  .array(fc.oneof(fc.constantFrom('HUSH-SN', 'hush-sn', ':', ' ', '\n', '1', '01', '2', '10000'), digits(30), digits(29), fc.string({ maxLength: 5 })), { maxLength: 8 })
  .map((parts) => parts.join(''))

describe('verification QR payload', () => {
  it('parses what it makes, and a code matches only crossed over', () => {
    const ours = verificationQrPayload(ALICE_IK, BOB_IK)
    const theirs = verificationQrPayload(BOB_IK, ALICE_IK)
    assert.equal(parseVerificationQr(ours).ok, true)
    assert.equal(compareScannedQr(ALICE_IK, BOB_IK, theirs), 'match')
    assert.equal(compareScannedQr(ALICE_IK, BOB_IK, ours), 'mismatch')
  })

  it('never throws on any scanned text, and accepts only the exact grammar', () => {
    assertProperty('verification qr', 3000, fc.property(fc.oneof(qrLike, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      const parsed = parseVerificationQr(text)
      if (parsed.ok) {
        assert.match(text.trim(), /^hush-sn:0*1:[0-9]{30}:[0-9]{30}$/i)
        assert.match(parsed.value.presenter, /^[0-9]{30}$/)
      }
      assert.ok(['match', 'mismatch', 'invalid'].includes(compareScannedQr(ALICE_IK, BOB_IK, text)))
    }))
  })
})

const INFO = {
  publicKey: `0x04${'ab'.repeat(64)}`,
  alias: 'Fuzzy Test Alias',
  address: `0x${'12'.repeat(20)}`,
  createdAt: 1_700_000_000_000,
  name: 'Fuzz'
}
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const kdf = new FakeKdf()
const valid: Promise<Keystore> = encryptKeystore(MNEMONIC, 'pw', { id: uuidV4(), info: INFO, kdf: { n: 1024, r: 8, p: 1 }, derive: kdf.derive })

/** JSON values of every kind, to put where a keystore field should be. */
const jsonValue = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 3, 2 ** 53, 1e308, 262144, 2 ** 31, '', 'scrypt', 'aes-128-ctr', '00', 'ab'.repeat(16), 'ab'.repeat(32)),
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 })
)
const FIELDS = [
  ['version'],
  ['id'],
  ['crypto'],
  ['crypto', 'cipher'],
  ['crypto', 'cipherparams', 'iv'],
  ['crypto', 'ciphertext'],
  ['crypto', 'kdf'],
  ['crypto', 'kdfparams'],
  ['crypto', 'kdfparams', 'n'],
  ['crypto', 'kdfparams', 'r'],
  ['crypto', 'kdfparams', 'p'],
  ['crypto', 'kdfparams', 'dklen'],
  ['crypto', 'kdfparams', 'salt'],
  ['crypto', 'mac'],
  ['hush'],
  ['hush', 'publicKey'],
  ['hush', 'createdAt'],
  ['hush', 'name'],
  ['__proto__']
] as const

function withField(keystore: Keystore, path: readonly string[], value: unknown): string {
  const copy = JSON.parse(JSON.stringify(keystore)) as Record<string, unknown>
  let at = copy
  for (const step of path.slice(0, -1)) {
    const next = at[step]
    // An earlier edit replaced the parent with a non-object: nothing left to edit below it.
    if (typeof next !== 'object' || next === null) return JSON.stringify(copy)
    at = next as Record<string, unknown>
  }
  Object.defineProperty(at, path[path.length - 1] as string, { value, enumerable: true, configurable: true, writable: true })
  return JSON.stringify(copy)
}

describe('keystore file', () => {
  it('parses what it writes', async () => {
    const keystore = await valid
    assert.deepEqual(parseKeystore(JSON.stringify(keystore), 'k.json'), keystore)
    assert.equal(await decryptKeystore(keystore, 'pw', { derive: kdf.derive }), MNEMONIC)
  })

  it('throws only AccountError on any file text', () => {
    assertProperty('keystore text', 2000, fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.json({ maxDepth: 3 })), (text) => {
      onlyThrows(() => parseKeystore(text, 'k.json'), AccountError)
    }))
  })

  it('refuses any field of the wrong kind, and what it accepts decrypts or fails with AccountError', async () => {
    const keystore = await valid
    const edits = fc.array(fc.tuple(fc.constantFrom(...FIELDS), jsonValue), { minLength: 1, maxLength: 3 })
    await assertAsyncProperty('keystore fields', 1500, fc.asyncProperty(edits, async (changes) => {
      let text = JSON.stringify(keystore)
      for (const [path, value] of changes) text = withField(JSON.parse(text) as Keystore, path, value)
      const parsed = onlyThrows(() => parseKeystore(text, 'k.json'), AccountError)
      if (parsed) await onlyRejects(() => decryptKeystore(parsed, 'pw', { derive: kdf.derive }), AccountError)
    }))
  })
})
