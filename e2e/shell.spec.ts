import { expect, test } from './fixtures/app'

test('two instances each reach their own host and see live node.status events from real peers', async ({ launch }) => {
  const alice = await launch({ name: 'alice' })
  await expect(alice.page.getByTestId('app-info')).toContainText(/Version \d+\.\d+\.\d+ · (web|electron)/)
  await expect(alice.page.getByTestId('node-state')).toHaveText('Online')
  await expect(alice.page.getByTestId('peer-count')).toHaveText('No peers')

  await alice.page.getByTestId('node-toggle').click()
  const enode = (await alice.page.locator('.status-details code').first().textContent()) ?? ''
  expect(enode).toMatch(/^enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:\d+$/)

  const bob = await launch({ name: 'bob', staticPeers: [enode] })
  await expect(bob.page.getByTestId('app-info')).toBeVisible()
  // Both counts change only through node.status events: nothing polls.
  await expect(bob.page.getByTestId('peer-count')).toHaveText('1 peer')
  await expect(alice.page.getByTestId('peer-count')).toHaveText('1 peer')
  await expect(alice.page.locator('.peer-list li')).toContainText('inbound')
})

test('the page takes its token out of the address bar, and asks for the new URL when its host restarts with a new token', async ({ launch, target }) => {
  test.skip(target !== 'web', 'the token and its URL belong to the web host')
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  await expect(page.getByTestId('node-state')).toHaveText('Online')
  expect(page.url()).not.toContain('token')
  expect(await page.evaluate(() => window.location.hash)).toBe('')
  // A reload of the same tab still reaches the host.
  await page.reload()
  await expect(page.getByTestId('node-state')).toHaveText('Online')
  await expect(page.getByRole('alert')).toHaveCount(0)

  await alice.restart({ openNewUrl: false })
  await expect(page.getByTestId('token-rejected')).toHaveText(/Open that new URL/, { timeout: 20_000 })
  await expect(page.getByText('Connection to the Hush host lost. Reconnecting…')).toHaveCount(0)
  await alice.restart()
  await expect(page.getByTestId('node-state')).toHaveText('Online')
  await expect(page.getByTestId('token-rejected')).toHaveCount(0)
})
