import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { isIP } from 'node:net'

/** A devp2p node address: `enode://<128 hex node id>@host:port[?discport=N]`. */
export interface Enode {
  /** 64-byte node id: the uncompressed secp256k1 public key without its 0x04 prefix. */
  id: Uint8Array
  /** `id` as 128 lower-case hex characters (how peers are named everywhere in Hush). */
  idHex: string
  host: string
  /** TCP (RLPx) port. */
  port: number
  /** UDP discovery port when it differs from `port`. */
  discoveryPort?: number
}

/** Why an enode URL was refused. */
export class EnodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EnodeError'
  }
}

const ID_HEX = /^[0-9a-fA-F]{128}$/

/** Parse and validate an enode URL; throws EnodeError with a message naming what is wrong. */
export function parseEnode(url: string): Enode {
  const text = url.trim()
  if (!text.startsWith('enode://')) throw new EnodeError(`not an enode URL (must start with enode://): ${url}`)
  const rest = text.slice('enode://'.length)
  const at = rest.indexOf('@')
  if (at < 0) throw new EnodeError(`enode URL has no @host:port part: ${url}`)
  const idText = rest.slice(0, at)
  if (!ID_HEX.test(idText)) {
    throw new EnodeError(`enode node id must be 128 hex characters, got ${idText.length}: ${url}`)
  }
  const [hostPort = '', query] = splitOnce(rest.slice(at + 1), '?')
  const { host, port } = parseHostPort(hostPort)
  const enode: Enode = { id: hexToBytes(idText.toLowerCase()), idHex: idText.toLowerCase(), host, port }
  if (query !== undefined) {
    const discport = new URLSearchParams(query).get('discport')
    if (discport !== null) enode.discoveryPort = parsePort(discport, url)
  }
  return enode
}

/** `enode://id@host:port` (IPv6 hosts in brackets); the inverse of parseEnode. */
export function formatEnode(e: { id: Uint8Array | string; host: string; port: number; discoveryPort?: number }): string {
  const idHex = typeof e.id === 'string' ? e.id.toLowerCase() : bytesToHex(e.id)
  if (!ID_HEX.test(idHex)) throw new EnodeError('node id must be 64 bytes')
  const host = isIP(e.host) === 6 ? `[${e.host}]` : e.host
  const disc = e.discoveryPort !== undefined && e.discoveryPort !== e.port ? `?discport=${e.discoveryPort}` : ''
  return `enode://${idHex}@${host}:${e.port}${disc}`
}

/**
 * `HOST:PORT` or `[v6]:PORT`, as taken by `--listen` and enode URLs. Port 0 (bind any free port) only
 * makes sense for listening, so it is refused unless `allowPortZero`.
 */
export function parseHostPort(text: string, { allowPortZero = false } = {}): { host: string; port: number } {
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0 || text[close + 1] !== ':') throw new EnodeError(`bad [IPv6]:port address: ${text}`)
    host = text.slice(1, close)
    portText = text.slice(close + 2)
    if (isIP(host) !== 6) throw new EnodeError(`bad IPv6 address: ${host}`)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon <= 0) throw new EnodeError(`expected HOST:PORT, got: ${text}`)
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
    if (host.includes(':')) throw new EnodeError(`IPv6 addresses must be in brackets: ${text}`)
    if (isIP(host) === 0 && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(host)) {
      throw new EnodeError(`bad host name: ${host}`)
    }
  }
  return { host, port: parsePort(portText, text, allowPortZero ? 0 : 1) }
}

function parsePort(text: string, context: string, min = 1): number {
  if (!/^\d{1,5}$/.test(text)) throw new EnodeError(`bad port "${text}" in ${context}`)
  const port = Number(text)
  if (port < min || port > 65535) throw new EnodeError(`port ${port} out of range ${min}-65535 in ${context}`)
  return port
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep)
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)]
}
