import { parseArgs } from 'node:util'
import { deriveKeys } from '../core/accounts/derivation'
import { publicIdentityOf } from '../core/accounts/identity'
import { checkMnemonic, describeMnemonicProblem, generateMnemonic } from '../core/accounts/mnemonic'

export interface CommandIo {
  out(line: string): void
  err(line: string): void
}

const USAGE = 'usage: hush-node keys --mnemonic "<12 words>" | --generate'

/**
 * `hush-node keys` (argv is what follows "keys"): prints the chat identity of a mnemonic, or of a
 * freshly generated one, as one JSON line. Returns the process exit code (2 = bad input).
 */
export async function runKeysCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { mnemonic?: string; generate?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        mnemonic: { type: 'string' },
        generate: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true,
      allowPositionals: false
    }))
  } catch (error) {
    io.err(`keys: ${error instanceof Error ? error.message : String(error)}. ${USAGE}`)
    return 2
  }
  if (values.help) {
    io.out(USAGE)
    return 0
  }
  if (Boolean(values.generate) === (values.mnemonic !== undefined)) {
    io.err(`keys: give exactly one of --mnemonic and --generate. ${USAGE}`)
    return 2
  }

  let mnemonic: string
  if (values.mnemonic !== undefined) {
    const check = checkMnemonic(values.mnemonic)
    if (!check.ok) {
      io.err(`keys: invalid mnemonic: ${describeMnemonicProblem(check)}`)
      return 2
    }
    mnemonic = check.mnemonic
  } else {
    mnemonic = generateMnemonic()
  }

  const { publicKey, compressedKey, alias, address } = publicIdentityOf(await deriveKeys(mnemonic))
  const result = values.generate
    ? { publicKey, compressedKey, alias, address, mnemonic }
    : { publicKey, compressedKey, alias, address }
  io.out(JSON.stringify(result))
  return 0
}
