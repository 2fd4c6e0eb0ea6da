/**
 * UI start-up and conversation-open times in Chromium against a real web host, with a large history in
 * main: 100,000 and then 1,000,000 messages across 50 public chats, one of which holds 20,000. The history
 * is written straight into the account's encrypted store with the app's own history code while the host is
 * stopped, so the figures measure reading it (main's store, the API, the renderer), not the network.
 * HUSH_BENCH_UI_SIZES (comma-separated message counts) picks other sizes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import type { Result } from '../src/shared/api/result'
import { connectApi } from '../e2e/fixtures/api'
import { seededText, seedPublicHistory } from '../e2e/fixtures/history'
import { ROOT, startProgram } from '../e2e/fixtures/processes'
import { median } from './measure'
import type { BenchResult, BenchSuite } from './result'

const CHATS = 50
const SIZES = (process.env.HUSH_BENCH_UI_SIZES ?? '100000,1000000').split(',').map(Number)
const BIG_CHAT_MESSAGES = 20_000
const RUNS = 5
const PASSWORD = 'bench-password'

async function setUpAccount(pageUrl: string): Promise<void> {
  const { client, close } = await connectApi(pageUrl)
  try {
    const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
    if (!candidate) throw new Error('no candidate identity offered')
    value(await client.call('accounts.create', { candidateId: candidate.candidateId, password: PASSWORD }))
    for (let i = 0; i < CHATS; i++) value(await client.call('chats.joinPublic', { name: `bench-${i}` }))
  } finally {
    close()
  }
}

async function unlockAccount(pageUrl: string): Promise<void> {
  const { client, close } = await connectApi(pageUrl)
  try {
    const [account] = value(await client.call('accounts.list', {}))
    if (account?.status !== 'ok') throw new Error('no account to unlock')
    value(await client.call('accounts.unlock', { id: account.account.id, password: PASSWORD }))
  } finally {
    close()
  }
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

function hostUrl(host: { firstLine: string }): string {
  const url = /https?:\/\/\S+/.exec(host.firstLine)?.[0]
  if (!url) throw new Error(`the web host printed no URL: ${host.firstLine}`)
  return url
}

/*
 * Page-side code below runs in Chromium, while this file compiles in the Node program (no DOM library):
 * these module-local names describe the little of the DOM it uses.
 */
interface PageElement {
  textContent: string | null
  click(): void
}
declare const document: {
  querySelector(selector: string): PageElement | null
  querySelectorAll(selector: string): { length: number } & Iterable<PageElement>
}
declare function requestAnimationFrame(callback: (time: number) => void): number

/**
 * Installed before any page script: notes when the first chat row is in the DOM, relative to navigation
 * start. A string, because it must run before the app's bundle and tsx would wrap a function in helpers
 * the page does not have.
 */
const WATCH_CHAT_LIST = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-testid="chat-list-item"]')) {
      window.chatListAt = performance.now()
      observer.disconnect()
    }
  }).observe(document, { childList: true, subtree: true })
`

async function startupTime(page: Page): Promise<number> {
  await page.reload()
  const at = () => (globalThis as { chatListAt?: number }).chatListAt
  await page.waitForFunction(at, undefined, { timeout: 30_000 })
  return (await page.evaluate(at)) ?? NaN
}

/** Clicks the big chat and waits, in the page, until its newest message is on screen and painted. */
async function openTime(page: Page): Promise<{ ms: number; rows: number }> {
  await page.getByRole('button', { name: 'Profile' }).click()
  await page.getByTestId('profile-name').waitFor()
  return page.evaluate(async (newest) => {
    const row = document.querySelector('[data-testid="chat-list-item"][data-chat-id="bench-0"]')
    if (!row) throw new Error('the big chat is not in the list')
    const started = performance.now()
    row.click()
    const shown = () =>
      [...document.querySelectorAll('[data-testid="timeline"] [data-testid="message-text"]')].some((node) => node.textContent === newest)
    while (!shown()) await new Promise((resolve) => requestAnimationFrame(resolve))
    await new Promise((resolve) => requestAnimationFrame(resolve))
    return { ms: performance.now() - started, rows: document.querySelectorAll('[data-testid="timeline"] [data-testid="message"]').length }
  }, seededText('bench-0', BIG_CHAT_MESSAGES))
}

/** One history size: a fresh profile seeded with `total` messages, then start-up and open-chat times. */
async function measure(total: number): Promise<BenchResult[]> {
  const profile = mkdtempSync(join(tmpdir(), 'hush-bench-ui-'))
  const hostArgs = ['--profile', profile, '--port', '0', '--p2p-listen', '127.0.0.1:0']
  let host = await startProgram('out/main/web-host.js', hostArgs)
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-gpu'] })
  try {
    await setUpAccount(hostUrl(host))
    await host.stop()
    const seedStarted = performance.now()
    const perChat = (total - BIG_CHAT_MESSAGES) / (CHATS - 1)
    await seedPublicHistory(
      profile,
      PASSWORD,
      Array.from({ length: CHATS }, (_, i) => ({
        chatId: `bench-${i}`,
        count: i === 0 ? BIG_CHAT_MESSAGES : Math.floor(perChat) + (i <= (total - BIG_CHAT_MESSAGES) % (CHATS - 1) ? 1 : 0)
      }))
    )
    const seedSeconds = (performance.now() - seedStarted) / 1000
    host = await startProgram('out/main/web-host.js', hostArgs)
    const url = hostUrl(host)
    await unlockAccount(url)

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    // tsx compiles with esbuild's keepNames, which wraps functions in a __name() helper that page scripts
    // (serialised source) do not carry: give the page a no-op one.
    await page.addInitScript('globalThis.__name = (target) => target')
    await page.addInitScript(WATCH_CHAT_LIST)
    await page.goto(url)
    const startups: number[] = []
    for (let i = 0; i < RUNS; i++) startups.push(await startupTime(page))
    const opens: Array<{ ms: number; rows: number }> = []
    for (let i = 0; i < RUNS; i++) opens.push(await openTime(page))
    const stored = total.toLocaleString('en-US')
    return [
      {
        name: `navigation to an interactive chat list (${CHATS} chats, ${stored} messages stored)`,
        value: median(startups),
        unit: 'ms',
        target: '< 1500 ms',
        note: `median of ${RUNS} reloads; first row in the DOM, from navigation start`
      },
      {
        name: `open a chat of ${BIG_CHAT_MESSAGES.toLocaleString('en-US')} messages (${stored} stored)`,
        value: median(opens.map((open) => open.ms)),
        unit: 'ms',
        target: '< 150 ms',
        note: `median of ${RUNS}; click to newest message painted`
      },
      { name: `messages in the DOM after opening it (${stored} stored)`, value: Math.max(...opens.map((open) => open.rows)), unit: 'rows', note: 'bounded window, not the whole history' },
      { name: `seeding ${stored} messages into main's encrypted store`, value: seedSeconds, unit: 's', note: 'set-up, for reference' }
    ]
  } finally {
    await browser.close()
    await host.stop()
    rmSync(profile, { recursive: true, force: true })
  }
}

export const suite: BenchSuite = {
  title: 'UI: start-up and opening a large chat (Chromium, web host, history in main)',
  async run(): Promise<BenchResult[]> {
    for (const file of ['out/main/web-host.js', 'out/renderer/index.html']) {
      if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`)
    }
    const results: BenchResult[] = []
    for (const total of SIZES) results.push(...(await measure(total)))
    return results
  }
}
