import { defineConfig } from '@playwright/test'

/**
 * The same specs run two ways: against the headless web host in Debian's Chromium (always), and against
 * the Electron app through Playwright's _electron (only where the Electron binary is installed; otherwise
 * each test of that project is skipped with the reason).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update']
    },
    trace: 'retain-on-failure'
  },
  projects: [
    { name: 'web', metadata: { target: 'web' } },
    { name: 'electron', metadata: { target: 'electron' } }
  ]
})
