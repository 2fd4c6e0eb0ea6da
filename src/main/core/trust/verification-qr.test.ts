import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { safetyNumber } from './safety-number'
import { ALICE_IK, BOB_IK, FILTERS_KEY_A } from './test-keys'
import { compareScannedQr, parseVerificationQr, verificationQrPayload } from './verification-qr'

const ALICE_HALF = '590911699241886912264515407581'
const BOB_HALF = '616285402661021283149051439700'

describe('verificationQrPayload', () => {
  it('puts the presenter’s half first (vector)', () => {
    expect(verificationQrPayload(ALICE_IK, BOB_IK)).toBe(`HUSH-SN:1:${ALICE_HALF}:${BOB_HALF}`)
    expect(verificationQrPayload(BOB_IK, ALICE_IK)).toBe(`HUSH-SN:1:${BOB_HALF}:${ALICE_HALF}`)
  })

  it('round-trips through parseVerificationQr', () => {
    const { ours, theirs } = safetyNumber(ALICE_IK, BOB_IK)
    expect(parseVerificationQr(verificationQrPayload(ALICE_IK, BOB_IK))).toEqual({
      ok: true,
      value: { version: 1, presenter: ours, scanner: theirs }
    })
  })

  it('fits a small QR code (version 3, level M)', () => {
    expect(QRCode.create(verificationQrPayload(ALICE_IK, BOB_IK), { errorCorrectionLevel: 'M' }).version).toBe(3)
  })
})

describe('parseVerificationQr', () => {
  it('tolerates surrounding whitespace and a lower-case prefix', () => {
    const parsed = parseVerificationQr(`  hush-sn:1:${ALICE_HALF}:${BOB_HALF}\n`)
    expect(parsed).toEqual({ ok: true, value: { version: 1, presenter: ALICE_HALF, scanner: BOB_HALF } })
  })

  it.each([
    ['', 'NOT_A_VERIFICATION_CODE'],
    ['0x04abcdef', 'NOT_A_VERIFICATION_CODE'],
    [`https://join.status.im/user/0x04${'ab'.repeat(64)}`, 'NOT_A_VERIFICATION_CODE'],
    [`HUSH-SN:1:${ALICE_HALF}:${BOB_HALF}${':0'.repeat(60)}`, 'NOT_A_VERIFICATION_CODE'],
    [`HUSH-SN:2:${ALICE_HALF}:${BOB_HALF}`, 'UNSUPPORTED_VERSION'],
    [`HUSH-SN:0:${ALICE_HALF}:${BOB_HALF}`, 'UNSUPPORTED_VERSION'],
    [`HUSH-SN:x:${ALICE_HALF}:${BOB_HALF}`, 'MALFORMED'],
    ['HUSH-SN', 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF}`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF}:${BOB_HALF}:`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF}:${BOB_HALF.slice(1)}`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF}:${BOB_HALF}0`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF.replace('5', 'S')}:${BOB_HALF}`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF} :${BOB_HALF}`, 'MALFORMED'],
    [`HUSH-SN:1:${ALICE_HALF.replace('5', '٥')}:${BOB_HALF}`, 'MALFORMED']
  ])('rejects %j as %s', (text, code) => {
    const parsed = parseVerificationQr(text)
    expect(parsed.ok).toBe(false)
    expect(parsed).toMatchObject({ error: { code } })
  })
})

describe('compareScannedQr', () => {
  it('matches the code on the other person’s screen, which lists their half first', () => {
    const onBobsScreen = verificationQrPayload(BOB_IK, ALICE_IK)
    const onAlicesScreen = verificationQrPayload(ALICE_IK, BOB_IK)
    expect(compareScannedQr(ALICE_IK, BOB_IK, onBobsScreen)).toBe('match')
    expect(compareScannedQr(BOB_IK, ALICE_IK, onAlicesScreen)).toBe('match')
  })

  it('does not accept our own code (our half first) as a verification of them', () => {
    expect(compareScannedQr(ALICE_IK, BOB_IK, verificationQrPayload(ALICE_IK, BOB_IK))).toBe('mismatch')
  })

  it('reports a mismatch when the other side holds a different key for us or for themselves', () => {
    // A man in the middle (FILTERS_KEY_A) stands between Alice and Bob: each side sees the attacker's key.
    const bobSeesAttackerAsAlice = verificationQrPayload(BOB_IK, FILTERS_KEY_A)
    expect(compareScannedQr(ALICE_IK, BOB_IK, bobSeesAttackerAsAlice)).toBe('mismatch')
    const attackerScreen = verificationQrPayload(FILTERS_KEY_A, ALICE_IK)
    expect(compareScannedQr(ALICE_IK, BOB_IK, attackerScreen)).toBe('mismatch')
  })

  it('reports invalid for text that is not a verification code', () => {
    expect(compareScannedQr(ALICE_IK, BOB_IK, 'hello')).toBe('invalid')
    expect(compareScannedQr(ALICE_IK, BOB_IK, `HUSH-SN:9:${BOB_HALF}:${ALICE_HALF}`)).toBe('invalid')
  })
})
