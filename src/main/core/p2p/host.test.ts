import { promises as dnsPromises } from 'node:dns'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { capability } from './devp2p-workarounds'
import { parseEnode } from './enode'
import { P2PHost, type HostPeer, type PeerRemoval } from './host'
import { RawProtocol } from './raw-peer'

const CAP = capability('tst', 1, 8, RawProtocol)
const hosts: P2PHost[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

function host(options: Partial<ConstructorParameters<typeof P2PHost>[0]> = {}): P2PHost {
  const h = new P2PHost({ listen: { host: '127.0.0.1', port: 0 }, capabilities: [CAP], ...options })
  hosts.push(h)
  return h
}

const nextAdded = (h: P2PHost): Promise<HostPeer> => new Promise((resolve) => h.once('peer:added', resolve))
const nextRemoved = (h: P2PHost): Promise<[HostPeer, PeerRemoval]> =>
  new Promise((resolve) => h.once('peer:removed', (p, r) => resolve([p, r])))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('P2PHost', () => {
  it('binds exactly the given address and advertises the bound port in its enode', async () => {
    const a = host()
    await a.start()
    const e = parseEnode(a.enode)
    expect(e.host).toBe('127.0.0.1')
    expect(e.port).toBe(a.address?.port)
    expect(e.port).toBeGreaterThan(0)
    expect(e.idHex).toBe(a.id)
    expect(a.listening).toBe(true)
  })

  it('tracks both ends of a connection with direction, address and byte counts', async () => {
    const a = host()
    const b = host()
    await Promise.all([a.start(), b.start()])
    const atA = nextAdded(a)
    const atB = nextAdded(b)
    expect(await a.connect(parseEnode(b.enode))).toBe(true)
    const [pa, pb] = await Promise.all([atA, atB])
    expect(pa).toMatchObject({ id: b.id, direction: 'outbound', address: `127.0.0.1:${b.address?.port}`, static: false })
    expect(pb).toMatchObject({ id: a.id, direction: 'inbound', address: `127.0.0.1:${a.address?.port}` })
    expect(pa.bytesOut()).toBeGreaterThan(0)
    expect(pa.bytesIn()).toBeGreaterThan(0)

    const removed = nextRemoved(b)
    await a.stop()
    const [who, why] = await removed
    expect(who.id).toBe(a.id)
    expect(why).toMatchObject({ name: 'CLIENT_QUITTING', byUs: false })
    expect(a.connectedPeers()).toEqual([])
    expect(a.listening).toBe(false)
  })

  it('keeps redialling a static peer until it is up, and again after it goes away', async () => {
    const bKey = new Uint8Array(32).fill(7)
    const b1 = host({ privateKey: bKey })
    await b1.start()
    const bEnode = parseEnode(b1.enode)
    await b1.stop()

    const a = host({ staticPeers: [bEnode], backoff: { initialMs: 20, maxMs: 100 } })
    const failures: string[] = []
    a.on('dial:failed', (_e, err) => failures.push(err.message))
    await a.start()
    while (failures.length < 2) await new Promise((resolve) => a.once('dial:failed', resolve))

    const added = nextAdded(a)
    const b2 = host({ privateKey: bKey, listen: { host: '127.0.0.1', port: bEnode.port } })
    await b2.start()
    expect((await added).id).toBe(bEnode.idHex)

    const removed = nextRemoved(a)
    const again = new Promise<HostPeer>((resolve) => removed.then(() => a.once('peer:added', resolve)))
    await b2.stop()
    await removed
    const b3 = host({ privateKey: bKey, listen: { host: '127.0.0.1', port: bEnode.port } })
    await b3.start()
    expect((await again).static).toBe(true)
  })

  it('disconnects a removed static peer and stops keeping it', async () => {
    const b = host()
    await b.start()
    const a = host({ staticPeers: [parseEnode(b.enode)], backoff: { initialMs: 20, maxMs: 100 } })
    const added = nextAdded(a)
    await a.start()
    expect(await added).toMatchObject({ id: b.id, static: true })

    const removedAtA = nextRemoved(a)
    const removedAtB = nextRemoved(b)
    a.removeStaticPeer(b.id)
    const [who, why] = await removedAtA
    expect(who.id).toBe(b.id)
    expect(why).toMatchObject({ name: 'DISCONNECT_REQUESTED', byUs: true })
    await removedAtB

    // What comes back is b's own dial, not a's: a no longer dials it or calls it static.
    const outbound: HostPeer[] = []
    a.on('peer:added', (peer) => void (peer.direction === 'outbound' && outbound.push(peer)))
    const inbound = nextAdded(a)
    expect(await b.connect(parseEnode(a.enode))).toBe(true)
    expect(await inbound).toMatchObject({ id: b.id, direction: 'inbound', static: false })
    expect(outbound).toEqual([])
  })

  it('finds a peer through discv4 from a bootnode when discovery is on', async () => {
    const [portA, portB] = [await freePort(), await freePort()]
    const dnsServers = dnsPromises.getServers()
    const a = host({ listen: { host: '127.0.0.1', port: portA }, discovery: { findNeighbours: false } })
    await a.start()
    const b = host({ listen: { host: '127.0.0.1', port: portB }, discovery: true, bootnodes: [parseEnode(a.enode)] })
    const atA = nextAdded(a)
    const atB = nextAdded(b)
    await b.start()
    const [pa, pb] = await Promise.all([atA, atB])
    expect(pa).toMatchObject({ id: b.id, direction: 'inbound' })
    expect(pb).toMatchObject({ id: a.id, direction: 'outbound' })
    expect(dnsPromises.getServers()).toEqual(dnsServers) // the library's DNS helper would set 8.8.8.8
  })

  it('fails to start with the bind error when the port is taken, and stops cleanly', async () => {
    const a = host()
    await a.start()
    const b = host({ listen: { host: '127.0.0.1', port: a.address?.port as number } })
    await expect(b.start()).rejects.toThrow(/EADDRINUSE/)
    await b.stop()
    expect(b.listening).toBe(false)
  })
})

/** A plain TCP socket to `h`'s listener that says nothing unless told to; resolves once connected. */
async function rawSocket(h: P2PHost): Promise<Socket> {
  const socket = connect(h.address?.port as number, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  return socket
}

/** Milliseconds from now until the remote end closes `socket`. */
function closedAfter(socket: Socket): Promise<number> {
  const start = performance.now()
  return new Promise((resolve) => socket.once('close', () => resolve(performance.now() - start)))
}

describe('P2PHost under abuse', () => {
  it('closes a socket that never completes the RLPx handshake at the handshake timeout', async () => {
    const a = host({ handshakeTimeoutMs: 300 })
    await a.start()
    const idle = await rawSocket(a)
    expect(a.pendingHandshakes).toBe(1)
    const elapsed = await closedAfter(idle)
    expect(elapsed).toBeGreaterThanOrEqual(250)
    await vi.waitFor(() => expect(a.pendingHandshakes).toBe(0))
  })

  it('closes a socket that sends garbage instead of Auth at once, long before the timeout', async () => {
    const a = host({ handshakeTimeoutMs: 20_000 })
    await a.start()
    const garbage = await rawSocket(a)
    const closed = closedAfter(garbage)
    // The library reads Auth once 307 bytes are in; its first 2 bytes claim an EIP-8 size (here 64 + 2), so
    // it tries to decrypt at once and fails.
    garbage.write(Uint8Array.from({ length: 400 }, (_, i) => (i === 1 ? 64 : i === 0 ? 0 : 0x42)))
    await closed
    await vi.waitFor(() => expect(a.pendingHandshakes).toBe(0))
  })

  it('refuses sockets beyond the per-address and total caps on pending handshakes, and still serves a real peer', async () => {
    const perAddress = host({ maxPendingPerAddress: 2, handshakeTimeoutMs: 20_000 })
    await perAddress.start()
    const kept = [await rawSocket(perAddress), await rawSocket(perAddress)]
    const refused = await rawSocket(perAddress)
    await closedAfter(refused)
    expect(kept.every((s) => !s.destroyed)).toBe(true)
    expect(perAddress.pendingHandshakes).toBe(2)

    const total = host({ maxPendingInbound: 3, maxPendingPerAddress: 100, handshakeTimeoutMs: 20_000 })
    await total.start()
    const held = [await rawSocket(total), await rawSocket(total), await rawSocket(total)]
    await closedAfter(await rawSocket(total))
    expect(total.pendingHandshakes).toBe(3)

    for (const s of [...kept, ...held]) s.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const b = host()
    await b.start()
    const added = nextAdded(total)
    expect(await b.connect(parseEnode(total.enode))).toBe(true)
    expect((await added).id).toBe(b.id)
  })

  it('drops a banned node right after its handshake and does not dial it', async () => {
    const a = host()
    const b = host()
    await Promise.all([a.start(), b.start()])
    a.ban(b.id, 60_000)
    const removed = nextRemoved(b)
    let announced = false
    a.on('peer:added', () => (announced = true))
    expect(await b.connect(parseEnode(a.enode))).toBe(true)
    expect((await removed)[1]).toMatchObject({ name: 'USELESS_PEER', byUs: false })
    expect(announced).toBe(false)
    expect(await a.connect(parseEnode(b.enode))).toBe(false)
  })
})
