import { spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { runInNewContext } from 'node:vm'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../src/shared/api/ipc-channels'

const ROOT = resolve(import.meta.dirname, '../..')
const PRELOAD = join(ROOT, 'out/preload/index.cjs')
const MAIN = join(ROOT, 'out/main')

function built(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx electron-vite build\` first`)
  return readFileSync(path, 'utf8')
}

/**
 * Runs the built preload the way Electron runs a sandboxed one: as a CommonJS function in its own context,
 * whose `require` offers only a few modules (here just `electron`, faked: contextBridge and ipcRenderer).
 */
function loadPreload() {
  const exposed = new Map<string, unknown>()
  const required: string[] = []
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } }))
  })
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      if (exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`)
      exposed.set(key, api)
    }
  }
  const sandboxRequire = (id: string): unknown => {
    required.push(id)
    if (id === 'electron') return { contextBridge, ipcRenderer }
    throw new Error(`module not found: ${id}`)
  }
  const module = { exports: {} }
  const wrapper = runInNewContext(`(function (exports, require, module, __filename, __dirname) {${built(PRELOAD)}\n})`, {}, { filename: PRELOAD }) as (
    ...args: unknown[]
  ) => void
  wrapper(module.exports, sandboxRequire, module, PRELOAD, dirname(PRELOAD))
  return { exposed, required, ipcRenderer }
}

describe('the built preload (out/preload/index.cjs)', () => {
  beforeAll(() => {
    built(PRELOAD)
  })

  it('needs nothing a sandboxed preload cannot require', () => {
    expect(new Set(loadPreload().required)).toEqual(new Set(['electron']))
  })

  it('exposes exactly window.hush = { call, on }, and not ipcRenderer', () => {
    const { exposed } = loadPreload()
    expect([...exposed.keys()]).toEqual(['hush'])
    const hush = exposed.get('hush') as Record<string, unknown>
    expect(Object.keys(hush).sort()).toEqual(['call', 'on'])
    expect(typeof hush.call).toBe('function')
    expect(typeof hush.on).toBe('function')
  })

  it('forwards a call on the contract channel and hands back its answer', async () => {
    const { exposed, ipcRenderer } = loadPreload()
    const hush = exposed.get('hush') as { call: (method: unknown, args: unknown) => Promise<unknown> }
    expect(await hush.call('app.info', { a: 1 })).toEqual({ ok: true, value: { channel: CALL_CHANNEL, args: ['app.info', { a: 1 }] } })
    await hush.call({ toString: () => 'chats.list' }, null)
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(CALL_CHANNEL, 'chats.list', null)
  })

  it('delivers events by name, with the payload only (never the IPC event and its sender), until unsubscribed', () => {
    const { exposed, ipcRenderer } = loadPreload()
    const hush = exposed.get('hush') as { on: (event: string, listener: (...args: unknown[]) => void) => () => void }
    const status = vi.fn<(payload: unknown) => void>()
    const other = vi.fn<(payload: unknown) => void>()
    const unsubscribe = hush.on('node.status', status)
    hush.on('chats.changed', other)
    const ipcEvent = { sender: ipcRenderer }
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, 'node.status', { state: 'running' })
    ipcRenderer.emit('some:other-channel', ipcEvent, 'node.status', { state: 'wrong channel' })
    expect(status.mock.calls).toEqual([[{ state: 'running' }]])
    expect(other).not.toHaveBeenCalled()
    unsubscribe()
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, 'node.status', { state: 'stopped' })
    expect(status).toHaveBeenCalledTimes(1)
    expect(ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(1)
  })
})

describe('the built main process (out/main)', () => {
  const sources = () =>
    readdirSync(MAIN, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.js'))
      .map((name) => ({ path: join(MAIN, name), text: readFileSync(join(MAIN, name), 'utf8') }))

  it('never reads ELECTRON_RENDERER_URL in a release build', () => {
    built(join(MAIN, 'index.js'))
    expect(sources().filter(({ text }) => text.includes('ELECTRON_RENDERER_URL'))).toEqual([])
  })

  it('points the window at the preload that the build wrote', () => {
    const withPreload = sources().filter(({ text }) => text.includes('preload/index.cjs'))
    expect(withPreload).toHaveLength(1)
    const [file] = withPreload
    const relative = /import\.meta\.dirname,\s*["']([^"']*preload\/index\.cjs)["']/.exec(file!.text)?.[1]
    expect(relative).toBeDefined()
    expect(existsSync(resolve(dirname(file!.path), relative!))).toBe(true)
  })
  it('keeps tiny-secp256k1 external and a production dependency, so the package ships it with its .wasm', () => {
    const requires = sources().filter(({ text }) => text.includes('createRequire(import.meta.url)("tiny-secp256k1")'))
    expect(requires).toHaveLength(1)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    expect(pkg.dependencies['tiny-secp256k1']).toBeDefined()
  })

  it('runs libsecp256k1 (WASM) from the built bundle, and noble when the runtime has no WebAssembly', () => {
    const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
    const cli = join(MAIN, 'hush-node.js')
    const withWasm = spawnSync(process.execPath, [cli, 'keys', '--mnemonic', mnemonic], { encoding: 'utf8' })
    expect(withWasm.stderr).toBe('')
    expect(withWasm.status).toBe(0)
    const jitless = spawnSync(process.execPath, ['--jitless', cli, 'keys', '--mnemonic', mnemonic], { encoding: 'utf8' })
    expect(jitless.stderr).toMatch(/secp256k1 runs on noble \(slow\): the WASM module did not load: WebAssembly is not defined/)
    expect(jitless.status).toBe(0)
    expect(jitless.stdout).toBe(withWasm.stdout)
  })
})
