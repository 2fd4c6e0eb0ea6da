import { describe, expect, it } from 'vitest'
import { parseWebHostArgs, UsageError } from './host-args'

const ENODE = `enode://${'ab'.repeat(64)}@127.0.0.1:30303`
const OTHER = `enode://${'cd'.repeat(64)}@127.0.0.1:30304`

describe('web host arguments', () => {
  it('defaults to no peers, no mailservers, loopback, a free P2P port and the remembered web port', () => {
    expect(parseWebHostArgs([])).toEqual({ p2pListen: '127.0.0.1:0', staticPeers: [], bootnodes: [], mailservers: [] })
  })

  it('reads comma-separated static peers, bootnodes and mailservers', () => {
    const args = parseWebHostArgs(['--profile', 'p', '--static', `${ENODE}, ${OTHER}`, '--bootnodes', OTHER, '--mailservers', ENODE])
    expect(args).toMatchObject({ profile: 'p', staticPeers: [ENODE, OTHER], bootnodes: [OTHER], mailservers: [ENODE] })
  })

  it('refuses a mailserver that is not an enode URL, naming the flag', () => {
    expect(() => parseWebHostArgs(['--mailservers', 'enode://nope@127.0.0.1:1'])).toThrow(UsageError)
    expect(() => parseWebHostArgs(['--mailservers', 'http://example.com'])).toThrow(/--mailservers/)
  })
})
