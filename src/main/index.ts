/**
 * Electron main entry. Everything is assembled in ./desktop/app.ts; this file only says where
 * the built preload, renderer, engine entry and resources are.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog } from 'electron'
import { runDesktopApp } from './desktop/app'
import { hostEntry } from './host/entries'

const here = dirname(fileURLToPath(import.meta.url)) // out/main

runDesktopApp({
  preload: join(here, '../preload/index.cjs'),
  rendererIndexHtml: join(here, '../renderer/index.html'),
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  resourcesDir: app.isPackaged ? process.resourcesPath : join(here, '../../resources'),
  // Emitted beside this file by the main build (electron.vite.config.ts).
  engineEntry: hostEntry('utility', import.meta.url).path
}).catch((err: unknown) => {
  console.error('Creative Studio could not start:', err)
  dialog.showErrorBox('Creative Studio could not start', err instanceof Error ? err.message : String(err))
  app.exit(1)
})
