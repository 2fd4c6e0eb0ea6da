import { describe, expect, it } from 'vitest'
import { EnodeError, formatEnode, parseEnode, parseHostPort } from './enode'

const ID = 'a'.repeat(64) + 'B'.repeat(64)

describe('parseEnode', () => {
  it('parses id, host and port', () => {
    const e = parseEnode(`enode://${ID}@127.0.0.1:30303`)
    expect(e.idHex).toBe(ID.toLowerCase())
    expect(e.id).toHaveLength(64)
    expect(e.host).toBe('127.0.0.1')
    expect(e.port).toBe(30303)
    expect(e.discoveryPort).toBeUndefined()
  })

  it('reads discport and bracketed IPv6', () => {
    const e = parseEnode(`enode://${ID}@[::1]:30303?discport=30301`)
    expect(e.host).toBe('::1')
    expect(e.discoveryPort).toBe(30301)
    expect(formatEnode(e)).toBe(`enode://${ID.toLowerCase()}@[::1]:30303?discport=30301`)
  })

  it('round-trips through formatEnode', () => {
    const url = `enode://${ID.toLowerCase()}@10.0.0.1:1234`
    expect(formatEnode(parseEnode(url))).toBe(url)
  })

  it.each([
    ['no scheme', `${ID}@127.0.0.1:30303`, /must start with enode/],
    ['short id', `enode://abcd@127.0.0.1:30303`, /128 hex/],
    ['non-hex id', `enode://${'z'.repeat(128)}@127.0.0.1:30303`, /128 hex/],
    ['no host', `enode://${ID}`, /@host:port/],
    ['no port', `enode://${ID}@127.0.0.1`, /HOST:PORT/],
    ['port 0', `enode://${ID}@127.0.0.1:0`, /out of range/],
    ['port too big', `enode://${ID}@127.0.0.1:70000`, /out of range/],
    ['unbracketed v6', `enode://${ID}@::1:30303`, /brackets/],
    ['bad discport', `enode://${ID}@127.0.0.1:30303?discport=x`, /bad port/]
  ])('refuses %s', (_name, url, message) => {
    expect(() => parseEnode(url)).toThrow(EnodeError)
    expect(() => parseEnode(url)).toThrow(message)
  })
})

describe('parseHostPort', () => {
  it('allows port 0 only when asked (listening)', () => {
    expect(parseHostPort('127.0.0.1:0', { allowPortZero: true })).toEqual({ host: '127.0.0.1', port: 0 })
    expect(() => parseHostPort('127.0.0.1:0')).toThrow(EnodeError)
  })

  it('accepts host names', () => {
    expect(parseHostPort('localhost:30303')).toEqual({ host: 'localhost', port: 30303 })
  })
})
