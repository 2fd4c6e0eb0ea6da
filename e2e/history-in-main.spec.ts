import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { expect, test } from './fixtures/app'
import { joinPublicChat, messages, openChat, sendMessage } from './fixtures/chats'
import { createIdentity, unlock } from './fixtures/onboarding'
import { startProgram } from './fixtures/processes'

const PASSWORD = 'history-in-main-1'
const TEXTS = {
  first: 'Plaintext canary one: lighthouse keeper 7Q2',
  second: 'Plaintext canary two: orchard ladder 4K9',
  other: 'Plaintext canary three: copper kettle 8W1',
  draft: 'Plaintext canary draft: velvet compass 3J5'
}
/** Written into the page's own IndexedDB: proof that the search below sees what a page stores. */
const CONTROL = 'Control string the page stores itself: amber walrus 6T3'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Files under `dir` holding `text` as UTF-8 or UTF-16 (how browsers store strings). */
function filesContaining(dir: string, text: string): string[] {
  const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')]
  const found: string[] = []
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) return
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name))
      return
    }
    if (!stat.isFile()) return
    const bytes = readFileSync(path)
    if (needles.some((needle) => bytes.includes(needle))) found.push(path)
  }
  walk(dir)
  return found
}

test('history lives in main: another port and a fresh browser profile show every chat and message, and lock leaves no plaintext in the browser', async ({
  launch,
  target
}) => {
  test.skip(target !== 'web', 'the web host is what can be restarted on another port and opened in another browser')
  test.setTimeout(180_000)
  const alice = await launch({ name: 'alice' })
  await createIdentity(alice.page, PASSWORD, { checkBackup: true })
  await joinPublicChat(alice.page, 'history-one')
  await sendMessage(alice.page, TEXTS.first)
  await sendMessage(alice.page, TEXTS.second)
  await joinPublicChat(alice.page, 'history-two')
  await sendMessage(alice.page, TEXTS.other)
  await alice.page.getByLabel('Message', { exact: true }).fill(TEXTS.draft)
  // Drafts are saved a moment after typing stops.
  await alice.page.waitForTimeout(1_000)
  await alice.stopHost()

  // The same profile on another port, opened in a browser profile that has never seen it.
  const port = await freePort()
  const host = await startProgram('out/main/web-host.js', ['--profile', alice.profileDir, '--port', String(port), '--p2p-listen', '127.0.0.1:0'])
  const browserProfile = mkdtempSync(join(tmpdir(), 'hush-e2e-browser-'))
  const context = await chromium.launchPersistentContext(browserProfile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-gpu']
  })
  try {
    const url = /https?:\/\/\S+/.exec(host.firstLine)?.[0] ?? ''
    expect(new URL(url).port).toBe(String(port))
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await unlock(page, PASSWORD)
    await expect(page.getByTestId('chat-list-item')).toHaveCount(2)
    // Main remembers that the phrase was checked: a browser that never saw the check does not remind again.
    await expect(page.getByTestId('profile-name')).toBeVisible()
    await expect(page.getByTestId('backup-reminder')).toBeHidden()
    await openChat(page, '#history-one')
    await expect(messages(page).getByTestId('message-text')).toHaveText([TEXTS.first, TEXTS.second])
    await openChat(page, '#history-two')
    await expect(messages(page).getByTestId('message-text')).toHaveText([TEXTS.other])
    await expect(page.getByLabel('Message', { exact: true })).toHaveValue(TEXTS.draft)

    await page.evaluate(async (control) => {
      localStorage.setItem('control', control)
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('control')
        request.onupgradeneeded = () => request.result.createObjectStore('s')
        request.onsuccess = () => {
          const tx = request.result.transaction('s', 'readwrite')
          tx.objectStore('s').put(control, 'k')
          tx.oncomplete = () => resolve()
          tx.onerror = () => reject(tx.error)
        }
        request.onerror = () => reject(request.error)
      })
    }, CONTROL)

    await page.getByRole('button', { name: 'Profile' }).click()
    await page.getByRole('button', { name: 'Lock' }).click()
    await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible()
    // Nothing of the history is on screen or in the page's memory-backed views after lock.
    for (const text of Object.values(TEXTS)) await expect(page.getByText(text)).toHaveCount(0)
    await expect.poll(() => filesContaining(browserProfile, CONTROL).length, { timeout: 15_000 }).toBeGreaterThan(0)
    for (const text of Object.values(TEXTS)) expect(filesContaining(browserProfile, text), text).toEqual([])
  } finally {
    await context.close()
    await host.stop()
  }
  // And after quitting the browser.
  expect(filesContaining(browserProfile, CONTROL).length).toBeGreaterThan(0)
  for (const text of Object.values(TEXTS)) expect(filesContaining(browserProfile, text), text).toEqual([])
})
