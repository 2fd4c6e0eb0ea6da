import type { Page } from '@playwright/test'
import { expect, test } from './fixtures/app'
import { RawStatusSender } from './fixtures/attacker'
import { joinPublicChat, messages, openChat, waitForPeers } from './fixtures/chats'
import { seededText, seedPublicHistory } from './fixtures/history'
import { createIdentity } from './fixtures/onboarding'

const CHAT = 'hush-test'
const SEEDED = 50
/** As large as one Whisper message can carry (1 MiB, less room for the wrapper, signature and padding). */
const MESSAGE_TEXT_MAX = 1024 * 1024 - 2048
const BRACKET_BOMB = `https://a.org/${')'.repeat(MESSAGE_TEXT_MAX - 14)}`
/** Kept under the received-text cap, so it is shown: the renderer must cope with every link in it. */
const LINK_BOMB = 'www.a.co '.repeat(1800)
const NORMAL = 'A normal message after the attack'
const PLAIN = 'plain-reference'

/** Clicks the chat in the list and waits, inside the page, until `text` is on screen; returns the milliseconds. */
async function timeToOpen(page: Page, text: string, chat = CHAT): Promise<number> {
  await page.getByRole('button', { name: 'Settings' }).click()
  await expect(page.getByTestId('conversation-title')).toBeHidden()
  return page.evaluate(
    async ({ title, wanted }) => {
      const row = [...document.querySelectorAll<HTMLElement>('[data-testid="chat-list-item"]')].find((item) => item.textContent?.includes(title))
      if (!row) throw new Error(`no chat ${title} in the list`)
      const started = performance.now()
      row.click()
      const shown = () => [...document.querySelectorAll('[data-testid="message-text"]')].some((node) => node.textContent === wanted)
      while (!shown()) await new Promise((resolve) => requestAnimationFrame(resolve))
      return performance.now() - started
    },
    { title: `#${chat}`, wanted: text }
  )
}

test('hostile messages in #hush-test, live and already stored, cost the victim one small row at most', async ({ launch, relay }) => {
  test.setTimeout(180_000)
  const victim = await launch({ name: 'victim', staticPeers: [relay.enode] })
  const { page } = victim
  await createIdentity(page, 'victim-pass-1')
  // A chat with nothing hostile in it, opened the same way, as the reference on this machine at this time.
  await joinPublicChat(page, PLAIN)
  await joinPublicChat(page, CHAT)

  // Records an older Hush stored before received fields were bounded: a timestamp no date can show and
  // a megabyte of brackets after a link, plus one record that is not a message at all.
  const base = { chatId: CHAT, chatKind: 'public', outgoing: false, status: 'received', receivedAt: Date.now() }
  const author = { publicKey: `0x04${'7'.repeat(128)}`, alias: 'Stored Attacker', identicon: { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } } }
  await seedPublicHistory(page, [{ chatId: CHAT, count: SEEDED }, { chatId: PLAIN, count: SEEDED }], [
    { ...base, id: `0x${'a'.repeat(64)}`, author, clock: SEEDED + 1, timestamp: 2 ** 63 - 1, text: BRACKET_BOMB },
    { ...base, id: `0x${'b'.repeat(64)}`, clock: SEEDED + 2, timestamp: Date.now(), text: 'no author' }
  ])
  await page.reload()
  await openChat(page, `#${CHAT}`)
  await expect(page.getByTestId('timeline').getByText(seededText(CHAT, SEEDED), { exact: true })).toBeVisible()
  await expect(page.getByTestId('message-unshowable')).toHaveCount(1)
  await expect(page.getByTestId('message-unshowable')).toHaveText('This message could not be shown.')
  const stored = messages(page).filter({ hasText: 'https://a.org/' })
  await expect(stored.locator('time')).toHaveText('—')
  expect((await stored.getByTestId('message-text').textContent())?.length).toBeLessThanOrEqual(16_384)

  // Live: a raw Status sender, none of Hush's sending caps, through the relay.
  await waitForPeers(page, 1)
  const attacker = await RawStatusSender.connect(relay.enode)
  try {
    await attacker.post(CHAT, { text: 'stamped at the end of time', timestamp: 2n ** 63n - 1n })
    await attacker.post(CHAT, { text: BRACKET_BOMB })
    await attacker.post(CHAT, { text: LINK_BOMB })
    await attacker.post(CHAT, { text: NORMAL })
  } finally {
    await attacker.stop()
  }
  const timeline = page.getByTestId('timeline')
  await expect(timeline.getByText(NORMAL, { exact: true })).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('conversation-title')).toHaveText(`#${CHAT}`)
  // The timestamp and the megabyte are dropped in main; the link bomb is shown, with at most 100 links.
  await expect(timeline.getByText('stamped at the end of time')).toHaveCount(0)
  await expect(messages(page).filter({ hasText: 'https://a.org/' })).toHaveCount(1)
  const bomb = messages(page).filter({ hasText: 'www.a.co www.a.co' })
  await expect(bomb).toHaveCount(1)
  expect(await bomb.locator('a').count()).toBeLessThanOrEqual(100)
  await expect(page.getByTestId('app-unshowable')).toHaveCount(0)
  await expect(page.getByTestId('conversation-unshowable')).toHaveCount(0)

  // The chat opens quickly, now and after a reload (before, it unmounted the app every time).
  const opens = [await timeToOpen(page, NORMAL), await timeToOpen(page, NORMAL), await timeToOpen(page, NORMAL)].sort((a, b) => a - b)
  const reference: number[] = []
  for (let n = 0; n < 3; n++) reference.push(await timeToOpen(page, seededText(PLAIN, SEEDED), PLAIN))
  test.info().annotations.push({ type: 'open-ms', description: `#${CHAT}: ${opens.map((ms) => ms.toFixed(0)).join(', ')}; #${PLAIN}: ${reference.map((ms) => ms.toFixed(0)).join(', ')}` })
  expect(opens[1]).toBeLessThan(300)
  await page.reload()
  await openChat(page, `#${CHAT}`)
  await expect(timeline.getByText(NORMAL, { exact: true })).toBeVisible()
  await expect(page.getByTestId('message-unshowable')).toHaveCount(1)
})
