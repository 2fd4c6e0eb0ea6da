import { describe, expect, it } from 'vitest'
import { DEFAULT_LISTEN, DEFAULT_MIN_POW, UsageError, parseNodeArgs } from './cli-args'

const ID1 = '1'.repeat(128)
const ID2 = '2'.repeat(128)
const URL1 = `enode://${ID1}@127.0.0.1:30304`
const URL2 = `enode://${ID2}@127.0.0.1:30305`

describe('parseNodeArgs', () => {
  it('has the documented defaults', () => {
    expect(parseNodeArgs([])).toEqual({
      help: false,
      listen: DEFAULT_LISTEN,
      bootnodes: [],
      staticPeers: [],
      minPow: DEFAULT_MIN_POW,
      light: false,
      discovery: false
    })
    expect(DEFAULT_LISTEN).toEqual({ host: '127.0.0.1', port: 30303 })
    expect(DEFAULT_MIN_POW).toBe(0.002)
  })

  it('reads every option', () => {
    const args = parseNodeArgs([
      '--listen', '0.0.0.0:0',
      '--nodekey', `0x${'0'.repeat(63)}1`,
      '--bootnodes', `${URL1},${URL2}`,
      '--static', URL1,
      '--static=' + URL2,
      '--min-pow', '0.2',
      '--light',
      '--discovery'
    ])
    expect(args.listen).toEqual({ host: '0.0.0.0', port: 0 })
    expect(args.nodeKey?.[31]).toBe(1)
    expect(args.bootnodes.map((e) => e.idHex)).toEqual([ID1, ID2])
    expect(args.staticPeers.map((e) => e.port)).toEqual([30304, 30305])
    expect(args.minPow).toBe(0.2)
    expect(args.light).toBe(true)
    expect(args.discovery).toBe(true)
  })

  it('takes mailserver options together', () => {
    const args = parseNodeArgs(['--mailserver', '--data-dir', '/tmp/x', '--mailserver-password', 'pw'])
    expect(args.mailserver).toEqual({ dataDir: '/tmp/x', password: 'pw' })
  })

  it.each([
    [['--bogus'], /bogus/],
    [['stray'], /positional|Unexpected argument/i],
    [['--listen', 'nope'], /--listen/],
    [['--listen', '127.0.0.1:99999'], /out of range/],
    [['--nodekey', 'abcd'], /64 hex/],
    [['--nodekey', '0'.repeat(64)], /not a valid/],
    [['--static', 'enode://xyz@1.2.3.4:1'], /--static: .*128 hex/],
    [['--bootnodes', `${URL1},garbage`], /--bootnodes/],
    [['--min-pow=-1'], /non-negative/],
    [['--min-pow', 'abc'], /non-negative/],
    [['--mailserver'], /--data-dir/],
    [['--mailserver', '--data-dir', 'd'], /--mailserver-password/],
    [['--data-dir', 'd'], /only make sense/],
    [['--light', '--mailserver', '--data-dir', 'd', '--mailserver-password', 'p'], /light/]
  ])('refuses %j', (argv, message) => {
    expect(() => parseNodeArgs(argv)).toThrow(UsageError)
    expect(() => parseNodeArgs(argv)).toThrow(message)
  })
})
