import { expect, test } from './fixtures/app'

test('two instances each reach their own host and see live node.status events from real peers', async ({ launch }) => {
  const alice = await launch({ name: 'alice' })
  await expect(alice.page.getByTestId('app-info')).toContainText(/Version \d+\.\d+\.\d+ · (web|electron)/)
  // A running node without peers is not "online": it says what it is doing.
  await expect(alice.page.getByTestId('node-state')).toHaveText('Looking for peers…')
  await expect(alice.page.getByTestId('status-bar')).not.toContainText(/envelope|online/i)

  await alice.page.getByTestId('node-toggle').click()
  const enode = (await alice.page.locator('.status-details code').first().textContent()) ?? ''
  expect(enode).toMatch(/^enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:\d+$/)

  const bob = await launch({ name: 'bob', staticPeers: [enode] })
  await expect(bob.page.getByTestId('app-info')).toBeVisible()
  // Both lines change only through node.status events: the status bar polls nothing.
  await expect(bob.page.getByTestId('node-state')).toHaveText('Connected · 1 peer')
  await expect(alice.page.getByTestId('node-state')).toHaveText('Connected · 1 peer')
  await expect(alice.page.locator('.peer-list li')).toContainText('Inbound')
})

test('the page takes its token out of the address bar, and asks for the new URL when its host restarts with a new token', async ({ launch, target }) => {
  test.skip(target !== 'web', 'the token and its URL belong to the web host')
  const alice = await launch({ name: 'alice' })
  const { page } = alice
  await expect(page.getByTestId('node-state')).toHaveText('Looking for peers…')
  expect(page.url()).not.toContain('token')
  expect(await page.evaluate(() => window.location.hash)).toBe('')
  // A reload of the same tab still reaches the host.
  await page.reload()
  await expect(page.getByTestId('node-state')).toHaveText('Looking for peers…')
  await expect(page.getByRole('alert')).toHaveCount(0)

  await alice.restart({ openNewUrl: false })
  await expect(page.getByTestId('token-rejected')).toHaveText(/Open that new URL/, { timeout: 20_000 })
  await expect(page.getByText('Connection to the Hush host lost. Reconnecting…')).toHaveCount(0)
  await alice.restart()
  await expect(page.getByTestId('node-state')).toHaveText('Looking for peers…')
  await expect(page.getByTestId('token-rejected')).toHaveCount(0)
})

test('the status bar says when its host stops, and recovers when it is back', async ({ launch, target }) => {
  test.skip(target !== 'web', 'only the web host can stop under a running page')
  const bob = await launch({ name: 'bob' })
  await bob.page.getByTestId('node-toggle').click()
  const enode = (await bob.page.locator('.status-details code').first().textContent()) ?? ''
  const alice = await launch({ name: 'alice', staticPeers: [enode] })
  const state = alice.page.getByTestId('node-state')
  await expect(state).toHaveText('Connected · 1 peer')
  await expect(state).toHaveAttribute('data-tone', 'ok')

  await alice.stopHost()
  // The last status said "connected"; a host that cannot be reached makes it stale, and the bar says so.
  await expect(state).toHaveText('Host unreachable', { timeout: 10_000 })
  await expect(state).toHaveAttribute('data-tone', 'error')
  await expect(alice.page.getByTestId('status-bar')).not.toContainText('Connected')
  await alice.restart({ openNewUrl: false })
  await expect(alice.page.getByTestId('token-rejected')).toBeVisible({ timeout: 20_000 })
  await expect(state).toHaveText('Host unreachable')
  await alice.restart()
  await expect(state).toHaveText('Connected · 1 peer', { timeout: 20_000 })
})
