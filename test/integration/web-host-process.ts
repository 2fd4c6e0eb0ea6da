import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { WebSocket } from 'ws'
import type { HushBridge } from '../../src/shared/api/contract'
import { createClient, type HushClient } from '../../src/shared/api/client'
import type { ArgsOf, MethodName, ValueOf } from '../../src/shared/api'
import { failure } from '../../src/shared/api/result'
import { ServerFrame, WS_API_PATH } from '../../src/shared/api/wire'

const ROOT = resolve(import.meta.dirname, '../..')
const WEB_HOST = resolve(ROOT, 'out/main/web-host.js')
const TSX = resolve(ROOT, 'node_modules/.bin/tsx')
const WEB_HOST_SOURCE = resolve(ROOT, 'src/main/web/web-host.ts')

export interface WebHostOptions {
  profile: string
  staticPeers?: string[]
  mailservers?: string[]
  /** Run the sources through tsx instead of the build (benchmarks: no build step, API only). */
  fromSource?: boolean
}

/**
 * A built web host (`node out/main/web-host.js`) in its own process, talked to as the renderer does: over
 * its loopback WebSocket with the per-run token and the page's Origin, through the typed API client.
 */
export class WebHostProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: WebSocket,
    readonly client: HushClient,
    readonly stderr: string[],
    private readonly exited: Promise<number | null>
  ) {}

  static async start(options: WebHostOptions): Promise<WebHostProcess> {
    if (!options.fromSource && !existsSync(WEB_HOST)) throw new Error(`${WEB_HOST} is missing: run \`npx electron-vite build\` first`)
    const args = ['--profile', options.profile, '--port', '0', '--p2p-listen', '127.0.0.1:0']
    if (options.staticPeers?.length) args.push('--static', options.staticPeers.join(','))
    if (options.mailservers?.length) args.push('--mailservers', options.mailservers.join(','))
    const [command, entry] = options.fromSource ? [TSX, WEB_HOST_SOURCE] : [process.execPath, WEB_HOST]
    const child = spawn(command, [entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const stderr: string[] = []
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line))
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    const first = await Promise.race([
      new Promise<string>((done) => createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', done)),
      exited.then((code) => {
        throw new Error(`web host exited (${code}) before printing its URL: ${stderr.join(' | ')}`)
      })
    ])
    const url = new URL(/https?:\/\/\S+/.exec(first)?.[0] ?? '')
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? ''
    const socket = new WebSocket(`ws://${url.host}${WS_API_PATH}?token=${encodeURIComponent(token)}`, { origin: url.origin })
    await new Promise<void>((done, fail) => {
      socket.once('open', () => done())
      socket.once('error', fail)
    })
    return new WebHostProcess(child, socket, createClient(socketBridge(socket)), stderr, exited)
  }

  /** Calls a method and returns its value, or throws with the API error. */
  async call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<ValueOf<M>> {
    const result = await this.client.call(method, args)
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`)
    return result.value
  }

  /** Creates an account with a fresh identity and leaves it unlocked; returns its chat key. */
  async createAccount(password: string): Promise<string> {
    const [candidate] = await this.call('accounts.candidates', { count: 1 })
    const { account } = await this.call('accounts.create', { candidateId: candidate!.candidateId, password })
    return account.publicKey
  }

  async unlockOnly(password: string): Promise<void> {
    const accounts = await this.call('accounts.list', {})
    const entry = accounts.find((a) => a.status === 'ok')
    if (entry?.status !== 'ok') throw new Error('no account in this profile')
    await this.call('accounts.unlock', { id: entry.account.id, password })
  }

  /** SIGKILL: no shutdown code runs, as when the machine loses power. */
  async kill(): Promise<void> {
    this.socket.terminate()
    this.child.kill('SIGKILL')
    await this.exited
  }

  async stop(): Promise<number | null> {
    this.socket.close()
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    return this.exited
  }
}

function socketBridge(socket: WebSocket): HushBridge {
  let nextId = 0
  const waiting = new Map<number, (result: unknown) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  socket.on('message', (data) => {
    const frame = ServerFrame.parse(JSON.parse(String(data)))
    if (frame.type === 'result') {
      waiting.get(frame.id)?.(frame.result)
      waiting.delete(frame.id)
    } else {
      for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload)
    }
  })
  socket.on('close', () => {
    for (const done of waiting.values()) done(failure('UNAVAILABLE', 'the web host closed the connection'))
    waiting.clear()
  })
  return {
    call(method, args) {
      if (socket.readyState !== WebSocket.OPEN) return Promise.resolve(failure('UNAVAILABLE', 'the web host connection is closed'))
      const id = nextId++
      return new Promise((done) => {
        waiting.set(id, done)
        socket.send(JSON.stringify({ type: 'call', id, method, args }))
      })
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener)
      return () => set.delete(listener)
    }
  }
}
