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
