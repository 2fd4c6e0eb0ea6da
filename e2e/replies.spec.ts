import { expect, test } from './fixtures/app'
import { joinPublicChat, messages, openChat, sendMessage } from './fixtures/chats'
import { seededText, seedPublicHistory } from './fixtures/history'
import { createIdentity, unlock } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

const CHAT = 'replies'
const COUNT = 1_500
/** MAX_WINDOW plus one page (src/renderer/src/features/chats/use-message-window.ts). */
const MOST_ROWS = 300

test('replies quote their original, jump to it far outside the window, and a reply is sent from any message', async ({ launch }) => {
  test.setTimeout(120_000)
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  const row = (text: string) => messages(page).filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) })
  await createIdentity(page, 'replies-pass-1')
  await joinPublicChat(page, CHAT)
  await alice.stopHost()
  await seedPublicHistory(alice.profileDir, 'replies-pass-1', [
    {
      chatId: CHAT,
      count: COUNT,
      replies: [
        { clock: COUNT, to: 5 },
        { clock: COUNT - 1, to: 'missing' },
        { clock: COUNT - 2, to: COUNT - 3 }
      ]
    }
  ])
  await alice.restart()
  await unlock(alice.page, 'replies-pass-1')
  await openChat(page, `#${CHAT}`)

  // The newest message quotes message 5, which is 1,495 messages away and not loaded.
  const newest = row(seededText(CHAT, COUNT))
  await expect(newest).toBeInViewport()
  expect(await messages(page).count()).toBeLessThanOrEqual(MOST_ROWS)
  await expect(row(seededText(CHAT, 5))).toHaveCount(0)
  await expect(newest.getByTestId('reply-quote')).toContainText(seededText(CHAT, 5))
  await expect(row(seededText(CHAT, COUNT - 2)).getByTestId('reply-quote')).toContainText(seededText(CHAT, COUNT - 3))
  // A reply to a message this computer never got: a neutral placeholder, nothing to click.
  const orphan = row(seededText(CHAT, COUNT - 1)).getByTestId('reply-quote')
  await expect(orphan).toHaveText('The original message is not on this computer.')
  await expect(orphan).not.toHaveRole('button')

  await newest.getByTestId('reply-quote').click()
  const original = row(seededText(CHAT, 5))
  await expect(original).toBeInViewport()
  await expect(original).toBeFocused()
  expect(await messages(page).count()).toBeLessThanOrEqual(MOST_ROWS)
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible()

  // Reply by keyboard from the focused original; Escape gives up, the hover action starts again.
  await page.keyboard.press('r')
  const composer = page.getByLabel('Message', { exact: true })
  await expect(composer).toBeFocused()
  await expect(page.getByTestId('composer-reply')).toContainText(seededText(CHAT, 5))
  await composer.press('Escape')
  await expect(page.getByTestId('composer-reply')).toBeHidden()
  await original.hover()
  await original.getByRole('button', { name: 'Reply' }).click()
  await expect(page.getByTestId('composer-reply')).toContainText(seededText(CHAT, 5))
  await sendMessage(page, 'an answer, long after')
  await expect(page.getByTestId('composer-reply')).toBeHidden()

  // Sending takes the person to the end, where the answer quotes its original and reaches it again.
  const answer = row('an answer, long after')
  await expect(answer).toBeInViewport()
  await expect(answer.getByTestId('reply-quote')).toContainText(seededText(CHAT, 5))
  await expect(answer.getByTestId('delivery-state')).toHaveAttribute('aria-label', /Sending…|Waiting for the network|Sent/)
  await snap(page, 'conversation-replies')
  await answer.getByTestId('reply-quote').click()
  await expect(original).toBeInViewport()

  // Right-to-left text runs right to left in its bubble.
  await page.getByRole('button', { name: 'Jump to latest' }).click()
  await sendMessage(page, 'مرحبا، كيف حالك؟')
  const arabic = row('مرحبا، كيف حالك؟').getByTestId('message-text')
  await expect(arabic).toBeInViewport()
  expect(await arabic.evaluate((text) => getComputedStyle(text).direction)).toBe('rtl')
  const latin = row('an answer, long after').getByTestId('message-text')
  expect(await latin.evaluate((text) => getComputedStyle(text).direction)).toBe('ltr')
  // Own messages sit on the right, others' on the left.
  const [own, other] = [await answer.locator('.bubble').boundingBox(), await newest.locator('.bubble').boundingBox()]
  const width = page.viewportSize()?.width ?? 0
  expect(own && own.x + own.width).toBeGreaterThan(width * 0.6)
  expect(other?.x).toBeLessThan(width * 0.5)
})
