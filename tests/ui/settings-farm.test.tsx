// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { FarmSection } from '../../src/renderer/src/components/settings/FarmSection'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { zodIssues } from '../../src/shared/api-issues'
import { commands, type Result } from '../../src/shared/contract'
import type { FarmStatusView } from '../../src/shared/farm'
import { fakeApi, ok, settings } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const PASSWORD = 'Hunter2-farm'
/** French text with its non-breaking spaces as plain ones, to compare with what is written here. */
const plain = (text: string | null | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ')
const SAVED = 'postgres://studio@db.lan:5432/studio'

/** The contract's own refusal of a request (its real schema), as dispatch answers it. */
function refusal(command: 'farm/connect' | 'farm/test', request: unknown): Result<never> {
  const parsed = commands[command].request.safeParse(request)
  if (parsed.success) throw new Error(`the contract accepts ${JSON.stringify(request)}`)
  return { ok: false, error: { code: 'bad_request', message: `${command}: refused`, issues: zodIssues(parsed.error, request) } }
}

const STATUS: FarmStatusView = {
  schemaVersion: 1,
  workers: [
    { id: 'w-1', host: 'render-1', pid: 10, version: '1', has: ['ffmpeg', 'libass'], alive: true, stopping: false, lastSeenMsAgo: 1000, running: [{ jobId: 'j1', title: 'Lighthouses', step: 'render' }] },
    { id: 'w-2', host: 'old-2', pid: 11, version: '1', has: ['gpu'], alive: false, stopping: false, lastSeenMsAgo: 60_000, running: [] }
  ],
  queue: { pending: 3, processing: 1, paused: 0, completed: 7, failed: 0, cancelled: 0 },
  unrunnable: [{ needs: ['gpu'], jobs: 2 }],
  limits: [
    { resource: 'llm', concurrency: 4, minIntervalMs: 0, running: 1 },
    { resource: 'music', concurrency: 5, minIntervalMs: 2000, running: 2 }
  ]
}

function mount(answers: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi(answers)
  render(
    <ApiProvider api={fake.api}>
      <FarmSection />
    </ApiProvider>
  )
  return fake
}

describe('settings → Studio farm', () => {
  it('is a section of the settings page', async () => {
    getStudio().setLocale('en')
    getStudio().setSettings(settings())
    const fake = fakeApi({ 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }), 'farm/get': ok({ queueUrl: null, hasPassword: false }) })
    render(
      <ApiProvider api={fake.api}>
        <SettingsPanel />
      </ApiProvider>
    )
    const section = await screen.findByTestId('settings-farm')
    expect(within(section).getByRole('heading').textContent).toBe('Studio farm')
    await waitFor(() => expect(within(section).getByTestId('farm-connection').textContent).toBe('Not connected: this computer uses its own queue.'))
  })

  it('a bad URL is refused under the field, naming it, in the user’s language', async () => {
    getStudio().setLocale('en')
    mount({ 'farm/get': ok({ queueUrl: null, hasPassword: false }), 'farm/connect': (r) => refusal('farm/connect', r) })
    fireEvent.change(screen.getByTestId('farm-url'), { target: { value: 'http://db.lan/studio' } })
    fireEvent.click(screen.getByTestId('farm-connect'))
    await waitFor(() => expect(screen.getByTestId('farm-error').textContent).toBe('“Queue URL” must start with postgres:// or postgresql://.'))

    getStudio().setLocale('fr')
    fireEvent.change(screen.getByTestId('farm-url'), { target: { value: 'postgres://db.lan:70000/studio' } })
    fireEvent.click(screen.getByTestId('farm-connect'))
    await waitFor(() => expect(plain(screen.getByTestId('farm-error').textContent)).toBe('« URL de la file » a un port incorrect : donnez un nombre de 1 à 65535.'))
  })

  it('an unreachable farm is said in French, naming the field, the engine’s detail (password masked) beneath', async () => {
    getStudio().setLocale('fr')
    mount({
      'farm/get': ok({ queueUrl: null, hasPassword: false }),
      'farm/test': { ok: false, error: { code: 'farm_unreachable', message: 'cannot connect to postgres://studio:***@db.lan:5432/studio: connect ECONNREFUSED', issues: [{ path: ['queueUrl'], code: 'custom', message: 'x' }] } }
    })
    fireEvent.change(screen.getByTestId('farm-url'), { target: { value: `postgres://studio:${PASSWORD}@db.lan:5432/studio` } })
    fireEvent.click(screen.getByTestId('farm-test'))
    await waitFor(() => expect(plain(screen.getByTestId('farm-error').textContent)).toMatch(/^« URL de la file » : le PostgreSQL de la ferme n’a pas répondu/))
    expect(screen.getByTestId('farm-error-detail').textContent).toContain('studio:***@db.lan')
  })

  it('test, connect, see the workers and the queue; the password is masked and leaves the form', async () => {
    getStudio().setLocale('en')
    const fake = mount({
      'farm/get': ok({ queueUrl: null, hasPassword: false }),
      'farm/test': ok({ reachable: true, schemaVersion: 1, knownVersion: 1, ms: 12, status: STATUS }),
      'farm/connect': ok({ queueUrl: SAVED, hasPassword: true }),
      'farm/status': ok(STATUS),
      'farm/disconnect': ok({ queueUrl: null, hasPassword: false })
    })
    const typed = `postgres://studio:${PASSWORD}@db.lan:5432/studio`
    fireEvent.change(screen.getByTestId('farm-url'), { target: { value: typed } })
    fireEvent.click(screen.getByTestId('farm-test'))
    await waitFor(() => expect(screen.getByTestId('farm-test-result').textContent).toContain('The farm answered in 12 ms; its schema is at version 1, as this app expects.'))
    expect(fake.of('farm/test')).toEqual([{ queueUrl: typed }])

    fireEvent.click(screen.getByTestId('farm-connect'))
    await waitFor(() => expect(screen.getByTestId('farm-connection').textContent).toContain('Connected to postgres://studio:••••••@db.lan:5432/studio'))
    expect(fake.of('farm/connect')).toEqual([{ queueUrl: typed }])
    expect((screen.getByTestId('farm-url') as HTMLInputElement).value).toBe(SAVED)

    const status = await screen.findByTestId('farm-status')
    expect(within(status).getByTestId('farm-workers-summary').textContent).toBe('1 machine running, of 2 known')
    const rows = within(status).getAllByTestId('farm-worker').map((r) => r.textContent)
    expect(rows[0]).toContain('render-1')
    expect(rows[0]).toContain('ffmpeg, libass')
    expect(rows[0]).toContain('Lighthouses [render]')
    expect(rows[1]).toContain('gone (last seen 60 s ago)')
    expect(rows[1]).toContain('nothing right now')
    expect(within(status).getByTestId('farm-queue').textContent).toBe('Farm queue: Pending 3 · Processing 1 · Paused 0 · Completed 7 · Failed 0 · Cancelled 0')
    expect(within(status).getByTestId('farm-unrunnable').textContent).toContain('2 waiting jobs need gpu, which no running machine offers.')
    expect(within(status).getByTestId('farm-limits').textContent).toBe('Limits the whole farm holds to: llm 4 at a time (1 running) · music 5 at a time, 2 s apart (2 running)')
    expect(document.body.textContent).not.toContain(PASSWORD)

    // Testing the saved farm sends no URL: the engine uses the saved one and its stored password.
    fireEvent.click(screen.getByTestId('farm-test'))
    await waitFor(() => expect(fake.of('farm/test')).toHaveLength(2))
    expect(fake.of('farm/test')[1]).toEqual({})

    fireEvent.click(screen.getByTestId('farm-disconnect'))
    await waitFor(() => expect(screen.getByTestId('farm-connection').textContent).toBe('Not connected: this computer uses its own queue.'))
    expect(screen.queryByTestId('farm-status')).toBeNull()
  })

  it('opened while connected: shows the saved URL masked and the farm’s status', async () => {
    getStudio().setLocale('fr')
    mount({ 'farm/get': ok({ queueUrl: SAVED, hasPassword: true }), 'farm/status': ok(STATUS) })
    await waitFor(() => expect(screen.getByTestId('farm-connection').textContent).toContain('Connecté à postgres://studio:••••••@db.lan:5432/studio'))
    await waitFor(() => expect(plain(screen.getByTestId('farm-workers-summary').textContent)).toBe('1 machine en marche, sur 2 connues'))
    expect(screen.getByTestId('farm-unrunnable').textContent).toContain('2 tâches en attente ont besoin de gpu')
    expect(screen.getByTestId('farm-limits').textContent).toBe('Limites que toute la ferme respecte\u00a0: llm\u00a0: 4 à la fois (1 en cours) · music\u00a0: 5 à la fois, espacés de 2 s (2 en cours)')
  })

  it('“Shared folder on this computer”: a refused folder is said in the user’s language, naming the field; a saved one is said', async () => {
    getStudio().setLocale('fr')
    const sent: unknown[] = []
    mount({
      'farm/get': ok({ queueUrl: SAVED, hasPassword: false, sharedDir: null }),
      'farm/status': ok(STATUS),
      'farm/setSharedDir': (r) => {
        sent.push(r)
        const dir = (r as { sharedDir: string | null }).sharedDir
        if (dir === '/mnt/empty') {
          return { ok: false, error: { code: 'farm_share_refused', message: 'sharedDir: …', issues: [{ path: ['sharedDir'], code: 'custom', message: '…', reason: 'farmShare.notTheShare' }] } }
        }
        return ok({ queueUrl: SAVED, hasPassword: false, sharedDir: dir })
      }
    })
    const field = await screen.findByTestId('farm-shared-dir')
    // Saved as you go: checked when the field is left changed.
    fireEvent.change(field, { target: { value: '/mnt/empty' } })
    fireEvent.blur(field)
    await waitFor(() =>
      expect(plain(screen.getByTestId('farm-shared-dir-error').textContent)).toBe(
        '« Dossier partagé sur cet ordinateur » : ce n’est pas le dossier dans lequel écrivent les machines de la ferme (il ne porte aucune marque de cette ferme). Le partage est-il monté ici, à ce chemin ?'
      )
    )
    // …and when Enter is pressed.
    fireEvent.change(field, { target: { value: ' /mnt/studio-farm ' } })
    fireEvent.keyDown(field, { key: 'Enter' })
    await waitFor(() => expect(plain(screen.getByTestId('farm-shared-dir-saved').textContent)).toBe('Enregistré : les résultats de la ferme sont lus dans /mnt/studio-farm.'))
    expect(sent).toEqual([{ sharedDir: '/mnt/empty' }, { sharedDir: '/mnt/studio-farm' }])
    expect(screen.queryByTestId('farm-shared-dir-error')).toBeNull()
    // Not the desktop app: no folder dialog to open, the path is typed.
    expect(screen.queryByTestId('farm-shared-dir-pick')).toBeNull()
    // Leaving the field unchanged checks nothing again.
    fireEvent.blur(field)
    expect(sent).toHaveLength(2)
  })
})
