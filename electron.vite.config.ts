import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The Electron entry, the headless web host and the hush-node command share one core bundle.
        input: {
          index: resolve('src/main/index.ts'),
          'web-host': resolve('src/main/web/web-host.ts'),
          'hush-node': resolve('src/main/cli/hush-node.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot load ES modules, so it is built as CommonJS.
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    resolve: { alias: { '@renderer': resolve('src/renderer/src') } },
    base: './',
    plugins: [react()]
  }
})
