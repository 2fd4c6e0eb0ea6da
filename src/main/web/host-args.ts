import { parseArgs } from 'node:util'
import { EnodeError, parseEnode } from '../core/p2p/enode'

export interface WebHostArgs {
  profile?: string
  /** Absent: the port this profile used last time, so the page keeps its origin and its stored history. */
  port?: number
  p2pListen: string
  staticPeers: string[]
  bootnodes: string[]
  /** Default mailservers of accounts that have saved no network settings yet. */
  mailservers: string[]
}

export class UsageError extends Error {}

const USAGE =
  'usage: hush-web [--profile DIR] [--port N] [--p2p-listen HOST:PORT] [--static ENODE,…] [--bootnodes ENODE,…] [--mailservers ENODE,…]'

/** Parses the web host's flags; anything unexpected is a UsageError with one readable line. */
export function parseWebHostArgs(argv: string[]): WebHostArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`)
  }
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be 0-65535\n${USAGE}`)
  return {
    profile: values.profile,
    ...(port === undefined ? {} : { port }),
    p2pListen: values['p2p-listen'] ?? '127.0.0.1:0',
    staticPeers: list(values.static),
    bootnodes: list(values.bootnodes),
    mailservers: enodes(list(values.mailservers), '--mailservers')
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      profile: { type: 'string' },
      port: { type: 'string' },
      'p2p-listen': { type: 'string' },
      static: { type: 'string' },
      bootnodes: { type: 'string' },
      mailservers: { type: 'string' }
    }
  })
}

function list(value: string | undefined): string[] {
  return value ? value.split(',').map((item) => item.trim()).filter(Boolean) : []
}

function enodes(urls: string[], flag: string): string[] {
  for (const url of urls) {
    try {
      parseEnode(url)
    } catch (error) {
      if (error instanceof EnodeError) throw new UsageError(`${flag}: ${error.message}\n${USAGE}`)
      throw error
    }
  }
  return urls
}
