import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

/**
 * Three bundles: main (Node, ESM: the main process and the engine's utility process), preload (sandboxed, so one CommonJS file with nothing loaded at
 * run time) and the renderer (browser only; the same build is served by `studio serve`).
 * Everything in `dependencies` stays external to main (electron-vite's default), which keeps
 * native modules such as better-sqlite3 and sharp out of the bundle.
 *
 * STUDIO_RENDERER_ONLY=1 builds the renderer alone (scripts/build-renderer.mjs: the e2e tests
 * and `studio serve` need only that).
 */
const rendererOnly = process.env.STUDIO_RENDERER_ONLY === '1'

const renderer = {
  root: resolve(__dirname, 'src/renderer'),
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/renderer'),
    emptyOutDir: true,
    rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    // A desktop app loads from disk: no need to split for the network, and maps help debugging.
    sourcemap: true,
    minify: process.env.STUDIO_NO_MINIFY ? false : ('esbuild' as const),
    chunkSizeWarningLimit: 2_000
  }
}

export default defineConfig(
  rendererOnly
    ? { renderer }
    : {
        main: {
          build: {
            outDir: resolve(__dirname, 'out/main'),
            // The engine's utility process (src/main/host/utility-entry.ts) is built beside main's entry.
            rollupOptions: {
              input: { index: resolve(__dirname, 'src/main/index.ts'), 'utility-entry': resolve(__dirname, 'src/main/host/utility-entry.ts') }
            }
          }
        },
        preload: {
          build: {
            outDir: resolve(__dirname, 'out/preload'),
            // contextIsolation + sandbox: the preload cannot import modules at run time.
            externalizeDeps: false,
            rollupOptions: {
              input: { index: resolve(__dirname, 'src/preload/index.ts') },
              external: ['electron'],
              output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true }
            }
          }
        },
        renderer
      }
)
