import { describe, expect, it } from 'vitest'
import { deriveKeys } from '../core/accounts/derivation'
import { runKeysCommand } from './keys-command'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

async function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runKeysCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out, err }
}

describe('hush-node keys', () => {
  it('--mnemonic prints one JSON line with the identity', async () => {
    const { code, out, err } = await run(['--mnemonic', ABANDON])
    const keys = await deriveKeys(ABANDON)
    expect(code).toBe(0)
    expect(err).toEqual([])
    expect(out).toHaveLength(1)
    const parsed = JSON.parse(out[0] as string)
    expect(Object.keys(parsed)).toEqual(['publicKey', 'compressedKey', 'alias', 'address'])
    expect(parsed).toMatchObject({
      publicKey: keys.publicKey,
      compressedKey: keys.compressedKey,
      address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94'
    })
    expect(parsed.alias).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+$/)
  })

  it('accepts --mnemonic=… with stray case and spacing', async () => {
    const { code, out } = await run([`--mnemonic=  ${ABANDON.toUpperCase()}  `])
    expect(code).toBe(0)
    expect(JSON.parse(out[0] as string).address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
  })

  it('--generate adds a fresh mnemonic that derives to the printed key', async () => {
    const { code, out } = await run(['--generate'])
    expect(code).toBe(0)
    const parsed = JSON.parse(out[0] as string)
    expect(parsed.mnemonic.split(' ')).toHaveLength(12)
    expect((await deriveKeys(parsed.mnemonic)).publicKey).toBe(parsed.publicKey)
  })

  it.each([
    [['--mnemonic', ABANDON.replace('about', 'aboot')], /word 12 is not in/],
    [['--mnemonic', 'abandon about'], /expected 12 words/],
    [[], /exactly one of/],
    [['--generate', '--mnemonic', ABANDON], /exactly one of/],
    [['--verbose'], /Unknown option/],
    [['stray'], /Unexpected argument|positional/i],
    [['--mnemonic'], /argument missing/i]
  ])('bad input %j → one error line, exit 2', async (argv, message) => {
    const { code, out, err } = await run(argv)
    expect(code).toBe(2)
    expect(out).toEqual([])
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(message)
    expect(err[0]).not.toContain('\n')
    expect(err[0]).not.toContain('aboot')
  })

  it('--help prints the usage', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(0)
    expect(out[0]).toContain('hush-node keys')
  })
})
