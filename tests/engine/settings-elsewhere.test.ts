/**
 * `studio settings …` in a shell while the app (or `studio serve`) is open: the settings saved
 * there are the ones the open app shows and uses, without a restart.
 */
import { describe, expect, it } from 'vitest'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { FAST_TIMINGS, tempDir, until } from '../helpers/engine'

const track = closeAfterEach()

describe('settings saved by another process', () => {
  it('reach the open app: what it shows, the providers its next steps use, and its pool limits', async () => {
    const dataDir = tempDir()
    const app = track(openStudio({ dataDir, timings: FAST_TIMINGS, env: {} }), (s) => s.close(100))
    const cli = track(openStudio({ dataDir, timings: FAST_TIMINGS, env: {} }), (s) => s.close(100))
    let announced = 0
    app.events.on('settings.changed', () => announced++)
    app.startWork()
    expect(app.settings.get().captionRenderer).toBe('libass')
    const textBefore = app.services.providers().text.id

    cli.settings.replace({
      ...cli.settings.get(),
      captionRenderer: 'imagemagick',
      concurrency: 1,
      providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'local-model', name: 'local' } }
    })

    await until(() => app.settings.get().captionRenderer === 'imagemagick', 5_000, 'the new settings to be seen')
    expect(app.pool.getConcurrency()).toBe(1)
    expect(app.services.providers().text.id).not.toBe(textBefore)
    // The open window is told, and reads them again (the renderer's sync answers this event).
    expect(announced).toBe(1)
    // A look that finds the same settings says nothing.
    cli.queue.setQueuePaused(true)
    await new Promise((r) => setTimeout(r, 700)) // more than one look (every 500 ms)
    expect(announced).toBe(1)
  })
})
