// @vitest-environment jsdom
/**
 * The window on a farm's queue, as the renderer shows it from `farm/queue` and the `farm.queue`
 * push event: which farm (status bar and banner), the link lost (a warning, the queue maybe out of
 * date) and back (a notice, and every snapshot read again: the lost notices are not replayed), and
 * the queue moved back to this computer (the job list read again). English and French.
 */
import { act, render } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { alwaysOpen } from '../../src/renderer/src/api/connection'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { errorText } from '../../src/renderer/src/api/error-text'
import { App } from '../../src/renderer/src/components/App'
import { FarmSection } from '../../src/renderer/src/components/settings/FarmSection'
import { getStudio, resetStudio, studioStore } from '../../src/renderer/src/store'
import { startSync } from '../../src/renderer/src/store/sync'
import { fakeApi, ok, PIPELINES, stats, until } from './fixtures'
import { installLayout } from './setup-dom'

const URL_SHOWN = 'postgres://studio@farm-db.lan:5432/studio'
const onFarm = { queueUrl: URL_SHOWN, connected: true, problem: null, chosenBy: 'settings' as const }

beforeEach(() => {
  resetStudio()
  installLayout()
})
afterEach(() => getStudio().setLocale('en'))

function farmWindow() {
  const fake = fakeApi({
    'jobs/list': ok([]),
    'pipelines/list': ok(PIPELINES),
    'queue/stats': ok(stats({ total: 0 })),
    'queue/eta': ok({ paused: false, totalMs: null, concurrency: 0, jobs: [], batchRowsWaiting: 0 }),
    'pool/status': ok({ state: 'idle', running: [], concurrency: 2, resources: [] }),
    'providers/health': ok([]),
    'batch/list': ok([]),
    'projects/list': ok([]),
    'batch/configs/list': ok([]),
    'farm/queue': ok(onFarm)
  })
  const stop = startSync(fake.api, alwaysOpen(), studioStore, { schedule: (f) => queueMicrotask(f) })
  render(
    <ApiProvider api={fake.api}>
      <App />
    </ApiProvider>
  )
  return { fake, stop }
}

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`)

describe('the window on a farm', () => {
  it('shows which farm, warns while its link is down, and reloads everything when it is back', async () => {
    const { fake, stop } = farmWindow()
    await until(() => byTestId('farm-banner'), 5_000, 'the farm banner')
    expect(byTestId('farm-indicator')!.textContent).toBe(`Farm: ${URL_SHOWN}`)
    expect(byTestId('farm-banner')!.textContent).toContain('studio farm worker')
    // This computer's pool is not the farm's: "Run now" (which wakes it) is not offered.
    expect(byTestId('kick')).toBeNull()

    act(() => fake.push({ type: 'farm.queue', ...onFarm, connected: false, problem: 'Connection terminated unexpectedly' }))
    expect(byTestId('farm-lost')!.textContent).toContain(`The connection to the farm ${URL_SHOWN} is lost`)
    expect(byTestId('farm-lost')!.textContent).toContain('Connection terminated unexpectedly')
    expect(byTestId('farm-indicator')!.textContent).toBe(`Farm unreachable: ${URL_SHOWN}`)

    const listsBefore = fake.of('jobs/list').length
    act(() => getStudio().setLocale('fr'))
    act(() => fake.push({ type: 'farm.queue', ...onFarm }))
    await until(() => fake.of('jobs/list').length > listsBefore, 5_000, 'the snapshot to be read again')
    expect(getStudio().notices.map((n) => n.text)).toContain('La connexion à la ferme est rétablie\u00a0: la file est de nouveau à jour.')
    expect(byTestId('farm-lost')).toBeNull()
    expect(byTestId('farm-indicator')!.textContent).toBe(`Ferme\u00a0: ${URL_SHOWN}`)

    // Disconnected in Settings: the local queue, read again; no farm shown.
    const listsOnFarm = fake.of('jobs/list').length
    act(() => fake.push({ type: 'farm.queue', queueUrl: null, connected: true, problem: null }))
    await until(() => fake.of('jobs/list').length > listsOnFarm, 5_000, 'the local queue to be read')
    expect(byTestId('farm-banner')).toBeNull()
    expect(byTestId('farm-indicator')).toBeNull()
    stop()
  })

  it('reads the job list again, saying nothing, when the farm’s results are read from another folder', async () => {
    const { fake, stop } = farmWindow()
    await until(() => byTestId('farm-banner'), 5_000, 'the farm banner')
    const first = fake.of('jobs/list').length
    act(() => fake.push({ type: 'farm.queue', ...onFarm, sharedDir: '/home/me/.config/Creative Studio' }))
    await until(() => fake.of('jobs/list').length > first, 5_000, 'the jobs to be read under the data folder')
    const before = fake.of('jobs/list').length
    const notices = getStudio().notices.length
    act(() => fake.push({ type: 'farm.queue', ...onFarm, sharedDir: '/mnt/studio-farm' }))
    await until(() => fake.of('jobs/list').length > before, 5_000, 'the jobs to be read again under the share')
    expect(getStudio().notices.length).toBe(notices)
    expect(byTestId('farm-lost')).toBeNull()
    stop()
  })

  it('words queue_url_unsupported in French, keeping the engine’s words as the detail', () => {
    const error = { code: 'queue_url_unsupported', message: 'this window runs on the farm given by --queue-url or STUDIO_QUEUE_URL' }
    expect(errorText(error, 'en')).toBe(error.message)
    expect(errorText(error, 'fr')).toMatch(/^Cette fenêtre est sur une ferme\u00a0: .*Réglages → Ferme de rendu.*\(this window runs on the farm given/)
  })

  it('Settings → Studio farm says the command line chose the farm of a `studio serve --queue-url` window', () => {
    getStudio().setFarmQueue({ ...onFarm, chosenBy: 'flag' })
    const fake = fakeApi({ 'farm/get': ok({ queueUrl: null, hasPassword: false }) })
    render(
      <ApiProvider api={fake.api}>
        <FarmSection />
      </ApiProvider>
    )
    expect(byTestId('farm-by-flag')!.textContent).toBe(`Farm: ${URL_SHOWN} — Chosen by “studio serve --queue-url”: restart it without the option to use this computer’s queue.`)
  })
})
