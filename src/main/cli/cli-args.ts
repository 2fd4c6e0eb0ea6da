import { parseArgs } from 'node:util'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { EnodeError, parseEnode, parseHostPort, type Enode } from '../core/p2p/enode'

/** `hush-node` options after validation. */
export interface NodeArgs {
  help: boolean
  listen: { host: string; port: number }
  nodeKey?: Uint8Array
  bootnodes: Enode[]
  staticPeers: Enode[]
  minPow: number
  light: boolean
  discovery: boolean
  mailserver?: { dataDir: string; password: string }
}

export const NODE_USAGE =
  'usage: hush-node [--listen HOST:PORT] [--nodekey HEX] [--bootnodes URL,...] [--static URL,...] ' +
  '[--min-pow N] [--light] [--discovery] [--mailserver --data-dir DIR --mailserver-password PW] | hush-node keys ...'

/** Bad command line; the message is one line meant for stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 30303 }
export const DEFAULT_MIN_POW = 0.002

/** Parse `hush-node` arguments (without the program name); throws UsageError. */
export function parseNodeArgs(argv: string[]): NodeArgs {
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        listen: { type: 'string' },
        nodekey: { type: 'string' },
        bootnodes: { type: 'string', multiple: true },
        static: { type: 'string', multiple: true },
        'min-pow': { type: 'string' },
        light: { type: 'boolean' },
        discovery: { type: 'boolean' },
        mailserver: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'mailserver-password': { type: 'string' }
      },
      strict: true,
      allowPositionals: false
    }))
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments')
  }
  const args: NodeArgs = {
    help: values.help === true,
    listen: DEFAULT_LISTEN,
    bootnodes: enodes(values.bootnodes, '--bootnodes'),
    staticPeers: enodes(values.static, '--static'),
    minPow: DEFAULT_MIN_POW,
    light: values.light === true,
    discovery: values.discovery === true
  }
  if (typeof values.listen === 'string') {
    args.listen = guard('--listen', () => parseHostPort(values.listen as string, { allowPortZero: true }))
  }
  if (typeof values.nodekey === 'string') args.nodeKey = parseNodeKey(values.nodekey)
  if (typeof values['min-pow'] === 'string') args.minPow = parseMinPow(values['min-pow'])
  const dataDir = values['data-dir']
  const password = values['mailserver-password']
  if (values.mailserver === true) {
    if (typeof dataDir !== 'string' || dataDir === '') throw new UsageError('--mailserver needs --data-dir DIR')
    if (typeof password !== 'string' || password === '') {
      throw new UsageError('--mailserver needs --mailserver-password PW')
    }
    if (args.light) throw new UsageError('--mailserver cannot run on a --light node')
    args.mailserver = { dataDir, password }
  } else if (dataDir !== undefined || password !== undefined) {
    throw new UsageError('--data-dir and --mailserver-password only make sense with --mailserver')
  }
  return args
}

function enodes(values: unknown, flag: string): Enode[] {
  const list = Array.isArray(values) ? (values as string[]) : []
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => guard(flag, () => parseEnode(v)))
}

function parseNodeKey(text: string): Uint8Array {
  const hex = text.startsWith('0x') ? text.slice(2) : text
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError('--nodekey must be 64 hex characters (32 bytes)')
  const key = hexToBytes(hex.toLowerCase())
  if (!secp256k1.utils.isValidSecretKey(key)) throw new UsageError('--nodekey is not a valid secp256k1 private key')
  return key
}

function parseMinPow(text: string): number {
  const pow = Number(text)
  if (text.trim() === '' || !Number.isFinite(pow) || pow < 0) {
    throw new UsageError(`--min-pow must be a non-negative number, got "${text}"`)
  }
  return pow
}

function guard<T>(flag: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof EnodeError) throw new UsageError(`${flag}: ${err.message}`)
    throw err
  }
}
