import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import { WhisperError } from './errors'
import { Mailserver } from './mailserver'
import { MailserverClient } from './mailserver-client'
import { WhisperNode } from './node'
import { symKeyFromPassword } from './password'

const PASSWORD = 'status-offline-inbox'
const CHAT = hexToBytes('cd423760')
const OTHER = hexToBytes('f8946aac')
const CHAT_KEY = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const cleanup: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

async function startNode(): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: 0.001 })
  await node.start()
  cleanup.push(() => node.stop())
  return node
}

async function startMailserver(node: WhisperNode, dataDir: string): Promise<Mailserver> {
  const server = new Mailserver({ node, dataDir, password: PASSWORD })
  await server.start()
  cleanup.push(() => server.stop())
  return server
}

/** Connect `client` to `server` (client dials) and wait until both sides completed the shh handshake. */
async function connect(client: WhisperNode, server: WhisperNode): Promise<void> {
  const both = Promise.all([
    new Promise((resolve) => client.once('peer:added', resolve)),
    new Promise((resolve) => server.once('peer:added', resolve))
  ])
  client.addPeer(server.enode)
  await both
}

/** Post `count` messages on `topic` from the mailserver node itself and wait until all are archived. */
async function seed(node: WhisperNode, server: Mailserver, topic: Uint8Array, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await node.post({ payload: utf8ToBytes(`${tag}-${i}`), topic, key: { symKey: CHAT_KEY }, ttl: 3600, powTarget: 0.001 })
  }
  await server.prune()
}

/**
 * Messages delivered to an allowP2P filter, once per envelope (the mailserver node also relays its pool
 * normally, so each message may arrive twice), and the envelopes that came as code 127.
 */
function collect(node: WhisperNode): { messages: Map<string, string>; direct: Set<string> } {
  const messages = new Map<string, string>()
  const direct = new Set<string>()
  node.subscribe({ topics: [CHAT], key: { symKey: CHAT_KEY }, allowP2P: true }, (m) =>
    messages.set(m.envelopeHash, new TextDecoder().decode(m.payload))
  )
  node.on('p2pMessages', ({ envelopes }) => {
    for (const e of envelopes) direct.add(e.hashHex)
  })
  return { messages, direct }
}

const nowSec = (): number => Math.floor(Date.now() / 1000)

describe('Mailserver over two real nodes on 127.0.0.1', () => {
  it('MessagesRequest form: pages with cursor, filters by topic, delivers to p2p filters; survives restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-ms-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const serverNode = await startNode()
    let server = await startMailserver(serverNode, dir)
    await seed(serverNode, server, CHAT, 7, 'chat')
    await seed(serverNode, server, OTHER, 3, 'other')

    await server.stop()
    server = await startMailserver(serverNode, dir)

    const clientNode = await startNode()
    const got = collect(clientNode)
    await connect(clientNode, serverNode)
    const client = new MailserverClient({ node: clientNode, timeoutMs: 10_000 })
    cleanup.push(async () => client.close())

    const result = await client.request({ peerId: serverNode.id, from: nowSec() - 3600, to: nowSec() + 5, topics: [CHAT], limit: 3 })
    expect(result.pages).toBe(3)
    expect(result.envelopes).toBe(7)
    expect(result.cursor).toHaveLength(0)
    expect([...got.messages.values()].sort()).toEqual(['chat-0', 'chat-1', 'chat-2', 'chat-3', 'chat-4', 'chat-5', 'chat-6'])
    expect(got.direct).toEqual(new Set(got.messages.keys()))
  })

  it('envelope form: signed request under PBKDF2(password); wrong key gets an ERROR completion', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-ms-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const serverNode = await startNode()
    const server = await startMailserver(serverNode, dir)
    await seed(serverNode, server, CHAT, 2, 'chat')

    const clientNode = await startNode()
    const got = collect(clientNode)
    await connect(clientNode, serverNode)
    const client = new MailserverClient({ node: clientNode })
    cleanup.push(async () => client.close())
    const window = { peerId: serverNode.id, from: nowSec() - 3600, to: nowSec() + 5, topics: [CHAT] }

    const ok = await client.request({ ...window, form: 'envelope', symKey: await symKeyFromPassword(PASSWORD) })
    expect(ok).toMatchObject({ pages: 1, envelopes: 2 })
    expect([...got.messages.values()].sort()).toEqual(['chat-0', 'chat-1'])
    expect(got.direct).toEqual(new Set(got.messages.keys()))

    const refused = client.request({ ...window, form: 'envelope', symKey: await symKeyFromPassword('wrong') })
    await expect(refused).rejects.toThrow(WhisperError)
    await expect(refused).rejects.toMatchObject({ code: 'mailserver-error' })
  })

  it('a request with an over-wide range is refused; a silent peer times out clearly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hush-ms-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const serverNode = await startNode()
    await startMailserver(serverNode, dir)
    const plainNode = await startNode()
    const clientNode = await startNode()
    await connect(clientNode, serverNode)
    await connect(clientNode, plainNode)
    const client = new MailserverClient({ node: clientNode })
    cleanup.push(async () => client.close())

    await expect(client.request({ peerId: serverNode.id, from: 0, to: nowSec() })).rejects.toMatchObject({
      code: 'mailserver-error',
      message: expect.stringContaining('24 hours')
    })
    await expect(client.request({ peerId: plainNode.id, from: nowSec() - 60, to: nowSec(), timeoutMs: 200 })).rejects.toMatchObject({
      code: 'timeout'
    })
  })
})
