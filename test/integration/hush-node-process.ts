import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { resolve as resolvePath } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolvePath(import.meta.dirname, '../..')
/** The built command, as `npx hush-node` runs it (`npm test` builds first): no tsx wrapper between us and its signals. */
const ENTRY = resolvePath(ROOT, 'bin/hush-node.js')

/** A `hush-node` child process whose stdout lines are collected and awaitable. */
export class HushNodeProcess {
  readonly enode: string
  readonly id: string
  private readonly child: ChildProcess
  private readonly events: EventEmitter<{ line: [string] }>
  private readonly exited: Promise<number | null>

  private constructor(
    child: ChildProcess,
    events: EventEmitter<{ line: [string] }>,
    readonly lines: string[],
    readonly stderr: string[],
    exited: Promise<number | null>
  ) {
    const enode = lines[0] as string
    this.child = child
    this.events = events
    this.enode = enode
    this.id = enode.slice('enode://'.length, 'enode://'.length + 128)
    this.exited = exited
  }

  /** Start `hush-node args…` and wait for its first line (its enode URL). */
  static async start(args: string[]): Promise<HushNodeProcess> {
    const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const events = new EventEmitter<{ line: [string] }>()
    const lines: string[] = []
    const stderr: string[] = []
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line)
      events.emit('line', line)
    })
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const first = await Promise.race([
      new Promise<string>((resolve) => events.once('line', resolve)),
      exited.then((code) => {
        throw new Error(`hush-node exited (${code}) before printing its enode: ${stderr.join(' | ')}`)
      })
    ])
    if (!first.startsWith('enode://')) throw new Error(`unexpected first line: ${first}`)
    return new HushNodeProcess(child, events, lines, stderr, exited)
  }

  /** Resolves with the first stdout line (past or future) that matches. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l))
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve) => {
      const onLine = (line: string): void => {
        if (!pattern.test(line)) return
        this.events.off('line', onLine)
        resolve(line)
      }
      this.events.on('line', onLine)
    })
  }

  /** SIGKILL: no shutdown code runs, as when the machine loses power. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM and wait for the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    return this.exited
  }
}
