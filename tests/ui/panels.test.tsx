// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { App } from '../../src/renderer/src/components/App'
import { BatchConfigForm, DEFAULT_FORM } from '../../src/renderer/src/components/batch/BatchConfigForm'
import { BatchCreateDialog, mappingChanges, remapMain } from '../../src/renderer/src/components/batch/BatchCreateDialog'
import { BatchDashboard } from '../../src/renderer/src/components/batch/BatchDashboard'
import { toCsv } from '../../src/renderer/src/components/common/format'
import { mediaPaths, ProjectEditor } from '../../src/renderer/src/components/projects/ProjectEditor'
import { failureAlert, jobHistoryCsv, ProviderPanel } from '../../src/renderer/src/components/providers/ProviderPanel'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { JobTracker } from '../../src/renderer/src/components/tracker/JobTracker'
import { defaultLocale, translate } from '../../src/renderer/src/i18n'
import { en } from '../../src/renderer/src/i18n/en'
import { fr } from '../../src/renderer/src/i18n/fr'
import { getStudio } from '../../src/renderer/src/store'
import { batch, detail, fail, fakeApi, job, ok, PIPELINES, provider, settings, stats, step } from './fixtures'
import { storyboard } from './storyboard-fixtures'
import { installLayout } from './setup-dom'
import { answerQuestions } from './confirm-answers'

beforeEach(() => installLayout())

function mount(ui: ReactNode, answers: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi(answers)
  render(<ApiProvider api={fake.api}>{ui}</ApiProvider>)
  return fake
}

describe('job tracker (seed 1)', () => {
  function seed() {
    const done = job({ title: 'Octopus facts', type: 'three', status: 'failed', error: 'bad input for c', projectId: 'sea', costUsd: 0.02, completedAt: 50, progress: 66.7 })
    const other = job({ title: 'Lighthouse', type: 'one', status: 'completed', projectId: 'coast', completedAt: 40, progress: 100 })
    const queued = job({ title: 'Queued one', type: 'three' })
    getStudio().setPipelines(PIPELINES)
    getStudio().setJobs([done, other, queued])
    const steps = [
      step({ name: 'a', index: 0, status: 'completed', attempts: 1, durationMs: 1500, cost: 0.01, provider: 'openai:gpt-4o-mini', output: { text: 'Octopuses have three hearts.\nTwo pump blood to the gills.' }, files: { image: '/data/jobs/x/a/card.png' } }),
      step({ name: 'b', index: 1, status: 'completed', attempts: 2, durationMs: 900, files: { narration: '/data/jobs/x/b/voice.wav' } }),
      step({ name: 'c', index: 2, status: 'failed', attempts: 1, error: 'bad input for c', files: { video: '/data/jobs/x/c/draft.mp4' } })
    ]
    const logs = [
      { id: 1, jobId: done.id, ts: 1, level: 'info' as const, step: null, message: 'queued with priority 10' },
      { id: 2, jobId: done.id, ts: 2, level: 'debug' as const, step: 'a', message: 'prompt tokens 120' },
      { id: 3, jobId: done.id, ts: 3, level: 'error' as const, step: 'c', message: 'failed at step c: bad input for c' }
    ]
    return { done, other, queued, steps, logs }
  }

  it('filters by status, type, project and text', () => {
    seed()
    mount(<JobTracker />)
    expect(screen.getAllByTestId('tracker-row')).toHaveLength(3)
    fireEvent.change(screen.getByTestId('tracker-status'), { target: { value: 'failed' } })
    expect(screen.getAllByTestId('tracker-row')).toHaveLength(1)
    fireEvent.change(screen.getByTestId('tracker-status'), { target: { value: 'all' } })
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'one' } })
    expect(screen.getAllByTestId('tracker-row').map((r) => r.textContent)).toEqual([expect.stringContaining('Lighthouse')])
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: '' } })
    fireEvent.change(screen.getByLabelText('Project'), { target: { value: 'sea' } })
    expect(screen.getAllByTestId('tracker-row')).toHaveLength(1)
    fireEvent.change(screen.getByLabelText('Project'), { target: { value: '' } })
    fireEvent.change(screen.getByTestId('tracker-search'), { target: { value: 'queued' } })
    expect(screen.getAllByTestId('tracker-row').map((r) => r.textContent)).toEqual([expect.stringContaining('Queued one')])
  })

  it("shows the selected job's input, steps (text, image, audio, video), cost, durations and log with level filters", async () => {
    const { done, steps, logs } = seed()
    getStudio().selectJob(done.id)
    const fake = mount(<JobTracker />, { 'jobs/get': ok(detail(done, steps)), 'jobs/logs': ok(logs) })
    await waitFor(() => expect(screen.getAllByTestId('step')).toHaveLength(3))
    const d = screen.getByTestId('job-detail')
    expect(within(d).getByText('Octopuses have three hearts.', { exact: false })).toBeTruthy()
    expect((within(d).getByTestId('media-image').querySelector('img') as HTMLImageElement).getAttribute('src')).toBe('/files?path=%2Fdata%2Fjobs%2Fx%2Fa%2Fcard.png&token=t')
    expect(within(d).getByTestId('media-audio').querySelector('audio')).toBeTruthy()
    expect(within(d).getByTestId('media-video').querySelector('video')!.getAttribute('src')).toMatch(/draft\.mp4/)
    expect(within(d).getByText('$0.02')).toBeTruthy()
    expect(within(d).getByText('attempt 2')).toBeTruthy()
    expect(within(d).getByText('openai:gpt-4o-mini', { exact: false })).toBeTruthy()
    // Debug hidden by default; toggling the level shows it.
    const log = within(d).getByTestId('job-log')
    await waitFor(() => expect(within(log).getAllByTestId('log-line')).toHaveLength(2))
    fireEvent.click(within(log).getByRole('button', { name: /Debug/ }))
    expect(within(log).getAllByTestId('log-line')).toHaveLength(3)
    fireEvent.click(within(log).getByRole('button', { name: /Info/ }))
    expect(within(log).getAllByTestId('log-line').map((l) => l.textContent)).toEqual([expect.stringContaining('prompt tokens'), expect.stringContaining('failed at step c')])
    // Live lines arrive through events.
    act(() => getStudio().applyEvents([{ type: 'job.log', line: { id: 4, jobId: done.id, ts: 4, level: 'error', step: 'c', message: 'late line' } }]))
    expect(within(log).getByText('late line')).toBeTruthy()
    // Retry from a chosen step.
    fireEvent.change(within(d).getByTestId('retry-from-step'), { target: { value: 'b' } })
    fireEvent.click(within(d).getByTestId('retry-from'))
    await waitFor(() => expect(fake.of('jobs/retry')).toEqual([{ id: done.id, fromStep: 'b' }]))
  })
})

describe('batch dashboard (seed 3)', () => {
  it('shows progress, current rows, metrics with charts, errors; controls call the batch commands', async () => {
    const b = batch()
    getStudio().setBatches([b])
    const fake = mount(<BatchDashboard />, { 'batch/pause': ok({ ...b, status: 'paused' }), 'batch/retryFailed': ok({ ...b, status: 'running', updatedAt: b.updatedAt + 5 }), 'batch/export': ok({ fileName: 'x.csv', csv: 'a,b' }) })
    const d = screen.getByTestId('batch-detail')
    expect(within(d).getByTestId('batch-progress').textContent).toBe('4 / 10 rows (50 %)')
    expect(within(d).getByText(/Current rows: 7, 8/)).toBeTruthy()
    expect(d.querySelectorAll('svg.chart').length).toBeGreaterThanOrEqual(3)
    expect(within(d).getByText('row 5: idea is empty')).toBeTruthy()
    expect(screen.queryByTestId('failure-alert')).toBeNull()
    fireEvent.click(within(d).getByTestId('batch-pause'))
    await waitFor(() => expect(fake.of('batch/pause')).toEqual([{ id: 'batch-1' }]))
    await waitFor(() => expect(screen.getByTestId('batch-detail').dataset.status).toBe('paused'))
    fireEvent.click(within(screen.getByTestId('batch-detail')).getByTestId('batch-retry'))
    await waitFor(() => expect(fake.of('batch/retryFailed')).toEqual([{ id: 'batch-1' }]))
  })

  describe('reset', () => {
    afterEach(() => vi.restoreAllMocks())

    it('is offered next to the controls only when the batch is not running, and asks first', async () => {
      const b = batch({ status: 'running' })
      getStudio().setBatches([b])
      const idle = batch({ status: 'idle', doneRows: 0, failedRows: 0, progress: 0, startedAt: null, errors: [], updatedAt: b.updatedAt + 10 })
      const fake = mount(<BatchDashboard />, { 'batch/stop': ok({ ...b, status: 'stopped', updatedAt: b.updatedAt + 5 }), 'batch/reset': ok(idle) })
      const resetButton = () => within(screen.getByTestId('batch-detail')).getByTestId('batch-reset') as HTMLButtonElement
      expect(resetButton().disabled).toBe(true)
      expect(resetButton().title).toBe('Pause or stop the batch to reset it')

      fireEvent.click(within(screen.getByTestId('batch-detail')).getByTestId('batch-stop'))
      await waitFor(() => expect(screen.getByTestId('batch-detail').dataset.status).toBe('stopped'))
      expect(resetButton().disabled).toBe(false)
      // A stopped batch is carried on with Retry or started over with Reset; Start would be refused.
      expect(within(screen.getByTestId('batch-detail')).queryByTestId('batch-start')).toBeNull()

      const confirm = answerQuestions(false, true)
      fireEvent.click(resetButton())
      await waitFor(() => expect(confirm.asked).toHaveLength(1))
      expect(confirm.asked[0]).toMatch(/^Reset the batch “ideas”\? Its results, metrics and times are forgotten/)
      await waitFor(() => expect(getStudio().confirmation).toBeNull())
      expect(fake.of('batch/reset')).toEqual([])

      fireEvent.click(resetButton())
      await waitFor(() => expect(fake.of('batch/reset')).toEqual([{ id: 'batch-1' }]))
      await waitFor(() => expect(screen.getByTestId('batch-detail').dataset.status).toBe('idle'))
      expect(screen.getByTestId('batch-progress').textContent).toBe('0 / 10 rows (0 %)')
      expect(resetButton().disabled).toBe(true)
      expect(within(screen.getByTestId('batch-detail')).getByTestId('batch-start')).toBeTruthy()
    })
  })

  it('raises the 20 % failure alert from the batch metrics, live', () => {
    getStudio().setBatches([batch()])
    mount(<BatchDashboard />)
    act(() => getStudio().applyEvents([{ type: 'batch.changed', batch: batch({ metrics: { ...batch().metrics, errorRate: 0.35, alert: true }, updatedAt: 9 }) }]))
    expect(screen.getByTestId('failure-alert').textContent).toMatch(/35 %|35%/)
  })

  it('a batch whose rows used an unpriced model shows its cost as a floor, never a plain figure', () => {
    getStudio().setBatches([batch({ metrics: { ...batch().metrics, costUsd: 0.12, costKnown: false, projectedCostUsd: 0.3 } })])
    mount(<BatchDashboard />)
    expect(screen.getByTestId('batch-cost').textContent).toMatch(/≥ \$0\.12.*≥ \$0\.30/)
  })

  it('says the domain is unavailable instead of breaking', () => {
    getStudio().markUnavailable('batch', 'batch/list is not available in this session')
    mount(<BatchDashboard />)
    expect(screen.getByText('batch/list is not available in this session')).toBeTruthy()
  })

  it('a dropped sheet: preview with headers and mapping, then create with the config', async () => {
    getStudio().setPipelines([
      { name: 'video', title: 'Video', mainField: 'idea', fields: ['idea', 'language'], steps: [] },
      { name: 'text', title: 'Text', mainField: 'prompt', fields: ['prompt', 'language'], steps: [] }
    ])
    const preview = {
      headers: ['Idée', 'Langue'],
      format: 'csv',
      encoding: 'utf-8',
      delimiter: ';',
      sampleRows: [{ rowNumber: 2, values: { Idée: 'Un phare', Langue: 'fr' } }],
      mapping: { idea: 'Idée', language: 'Langue' },
      sheets: []
    }
    const fake = mount(<BatchCreateDialog sheet={{ name: 'idees.csv', contentBase64: 'SWQ=' }} />, {
      'batch/preview': ok(preview),
      'batch/create': ok(batch({ id: 'b2', name: 'idees' }))
    })
    await waitFor(() => expect(screen.getByTestId('batch-preview').textContent).toMatch(/Un phare/))
    expect(fake.of('batch/preview')[0]).toEqual({ source: { kind: 'upload', name: 'idees.csv', contentBase64: 'SWQ=' } })
    fireEvent.change(screen.getByTestId('cfg-adversarial'), { target: { value: 'heavy' } })
    fireEvent.change(screen.getByTestId('cfg-intensity'), { target: { value: '1.25' } })
    fireEvent.change(screen.getByTestId('cfg-row-start'), { target: { value: '2' } })
    fireEvent.change(screen.getByTestId('cfg-row-end'), { target: { value: '9' } })
    fireEvent.click(screen.getByTestId('batch-create-start'))
    await waitFor(() => expect(fake.of('batch/create')).toHaveLength(1))
    expect(fake.of('batch/create')[0]).toEqual({
      source: { kind: 'upload', name: 'idees.csv', contentBase64: 'SWQ=' },
      name: 'idees',
      config: {
        pipeline: 'video',
        selective: 'standardEnhancement',
        adversarial: 'heavy',
        humanSimulation: 'none',
        patternBreaking: 'none',
        intensity: 1.25,
        saveIntermediateSteps: false,
        rowRange: { start: 2, end: 9 }
      },
      start: true
    })
    expect(getStudio().selectedBatchId).toBe('b2')
  })

  it('maps the main column to the pipeline main field', () => {
    getStudio().setPipelines([
      { name: 'video', title: 'Video', mainField: 'idea', fields: ['idea'], steps: [] },
      { name: 'text', title: 'Text', mainField: 'prompt', fields: ['prompt'], steps: [] }
    ])
    expect(remapMain({ idea: 'Idée', language: 'Langue' }, 'text')).toEqual({ prompt: 'Idée', language: 'Langue' })
    expect(mappingChanges({ idea: 'Idée', language: 'Langue' }, { prompt: 'Idée', language: 'Langue' })).toEqual({ idea: null, prompt: 'Idée' })
    expect(remapMain({ idea: 'Idée' }, 'video')).toEqual({ idea: 'Idée' })
  })
})

describe('providers admin (seed 4)', () => {
  it('shows health, response time, circuit, 24 h rates; runs the pool; alerts above 20 %', async () => {
    getStudio().setProviders([
      provider({ provider: 'openai:gpt-4o-mini', state: 'open', lastError: 'HTTP 503', successRate24h: 0.5, calls24h: 12, recentFailureRate: 0.5, recentCalls: 12, retryAt: Date.now() + 20_000 }),
      provider({ provider: 'offline-templates', lastResponseMs: 4 })
    ])
    getStudio().setStats(stats({ byStatus: { pending: 3, processing: 1, paused: 0, completed: 8, failed: 1, cancelled: 0 }, waiting: 2, successRate24h: 8 / 9, finished24h: 9, avgDurationMsByType: { video: 34_000 } }))
    const fake = mount(<ProviderPanel />)
    const rows = screen.getAllByTestId('provider-row')
    expect(rows.map((r) => r.dataset.state)).toEqual(['closed', 'open'])
    expect(within(rows[1]!).getByText('Down')).toBeTruthy()
    expect(within(rows[1]!).getByText('HTTP 503')).toBeTruthy()
    expect(within(rows[0]!).getByText('4 ms')).toBeTruthy()
    expect(screen.getByTestId('failure-alert').textContent).toMatch(/openai:gpt-4o-mini/)
    fireEvent.click(screen.getByTestId('admin-kick'))
    await waitFor(() => expect(fake.of('pool/kick')).toHaveLength(1))
  })

  it('requests show a job\'s cost as a floor or unknown when a step had no price, and the CSV says so', () => {
    getStudio().setJobs([
      job({ title: 'Priced', status: 'completed', costUsd: 0.02 }),
      job({ title: 'Floor', status: 'completed', costUsd: 0.02, costKnown: false }),
      job({ title: 'Unknown', status: 'completed', costUsd: 0, costKnown: false })
    ])
    mount(<ProviderPanel />)
    const costOf = (title: string) => screen.getByText(title).closest('tr')!.querySelector('[data-testid="request-cost"]')!.textContent
    expect([costOf('Priced'), costOf('Floor'), costOf('Unknown')]).toEqual(['$0.02', '≥ $0.02', 'unknown'])
    const csv = jobHistoryCsv(getStudio().order.map((id) => getStudio().jobs[id]!)).split('\r\n')
    expect(csv[0]).toContain('cost_usd,cost_known')
    expect(csv.filter((l) => l.includes('Floor'))[0]).toContain('0.02,false')
  })

  it('alert rule: more than 20 % failures over at least 5 finished', () => {
    expect(failureAlert({ successRate24h: 0.79, finished24h: 10 }, [])).toEqual(['jobs'])
    expect(failureAlert({ successRate24h: 0.8, finished24h: 10 }, [])).toEqual([])
    expect(failureAlert({ successRate24h: 0, finished24h: 2 }, [])).toEqual([])
  })

  it('job history CSV is quoted and safe for spreadsheets', () => {
    const csv = jobHistoryCsv([job({ id: 'j1', title: 'Say "hi", twice', error: '=HYPERLINK("x")' })])
    expect(csv.split('\r\n')[1]).toContain('"Say ""hi"", twice"')
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`)
    expect(toCsv([[1, null, 'a\nb']])).toBe('1,,"a\nb"')
  })
})

describe('settings', () => {
  it('the API key is write-only: sent once, the field cleared, "key stored" comes from hasKey', async () => {
    const server = { kind: 'openai' as const, baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' }
    getStudio().setSettings(settings({ providers: { ...settings().providers, text: { ...server, hasKey: false } } }))
    const after = settings({ providers: { ...settings().providers, text: { ...server, hasKey: true } } })
    const fake = mount(<SettingsPanel />, { 'settings/get': ok(after), 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }) })
    const text = screen.getByTestId('provider-form-text')
    expect(within(text).getByTestId('key-state').textContent).toBe('No key stored')
    expect(within(screen.getByTestId('provider-form-speech')).getByTestId('key-state').textContent).toMatch(/Key stored/)
    const input = within(text).getByTestId('provider-key') as HTMLInputElement
    expect(input.type).toBe('password')
    expect(input.value).toBe('')
    fireEvent.change(input, { target: { value: 'sk-secret' } })
    fireEvent.click(within(text).getByTestId('provider-key-save'))
    await waitFor(() => expect(fake.of('settings/setApiKey')).toEqual([{ kind: 'text', key: 'sk-secret' }]))
    await waitFor(() => expect(within(screen.getByTestId('provider-form-text')).getByTestId('key-state').textContent).toMatch(/Key stored/))
    expect((within(screen.getByTestId('provider-form-text')).getByTestId('provider-key') as HTMLInputElement).value).toBe('')
    // An offline provider has no server to keep a key for: the field is off and says why.
    const image = screen.getByTestId('provider-form-image')
    expect((within(image).getByTestId('provider-key') as HTMLInputElement).disabled).toBe(true)
    expect(image.textContent).toMatch(/Save a server above first/)
  })

  it('switches a provider to an OpenAI-compatible server and previews the subtitle style', async () => {
    getStudio().setSettings(settings())
    const fake = mount(<SettingsPanel />, { 'settings/update': ok(settings()), 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }) })
    const text = screen.getByTestId('provider-form-text')
    fireEvent.change(within(text).getByTestId('provider-kind'), { target: { value: 'openai' } })
    fireEvent.change(within(text).getByTestId('provider-url'), { target: { value: 'http://127.0.0.1:1234/v1' } })
    fireEvent.change(within(text).getByTestId('provider-model'), { target: { value: 'llama3' } })
    // Saved as one change once typing pauses (no Save button): the kind, server and model together.
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:1234/v1', model: 'llama3' } } }), { timeout: 3000 })
    await waitFor(() => expect(screen.getByTestId('subtitle-preview').getAttribute('src')).toBe('data:image/png;base64,AAAA'), { timeout: 2000 })
    expect(fake.of('settings/previewSubtitles')[0]).toMatchObject({ style: { fonts: ['DejaVu Sans'], fontSize: 64 } })
  })

  it('runs the system check', async () => {
    const fake = mount(<SettingsPanel />, { 'system/doctor': ok([{ name: 'ffmpeg', ok: true, detail: '6.1' }, { name: 'espeak-ng', ok: false, detail: 'not found' }]) })
    fireEvent.click(screen.getByTestId('doctor'))
    await waitFor(() => expect(screen.getByTestId('doctor-report').textContent).toMatch(/espeak-ng.*not found/))
    expect(fake.of('system/doctor')).toHaveLength(1)
  })
})

describe('project editor', () => {
  it('lists assets, imports dropped media as base64 and makes a storyboard from the picked assets; toggles the queue panel', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 1, createdAt: 1 }])
    const asset = { id: 'a1', projectId: 'promo', name: 'beach.png', kind: 'image' as const, path: '/data/assets/promo/beach.png', bytes: 2048, createdAt: 1 }
    const fake = mount(<ProjectEditor />, {
      'assets/list': ok([asset]),
      'assets/import': (r: { name: string }) => ok({ ...asset, id: 'a2', name: r.name, path: '/data/assets/promo/' + r.name }),
      'storyboards/list': ok([]),
      'storyboards/create': ok(storyboard({ scenes: [] })),
      'storyboards/get': ok(storyboard({ scenes: [] }))
    })
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(1))
    const file = new File(['PNGDATA'], 'sunset.png', { type: 'image/png' })
    fireEvent.drop(screen.getByTestId('project-view'), { dataTransfer: { files: [file], types: ['Files'] } })
    await waitFor(() => expect(fake.of('assets/import')).toHaveLength(1))
    expect(fake.of('assets/import')[0]).toEqual({ projectId: 'promo', name: 'sunset.png', contentBase64: btoa('PNGDATA') })
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(2))
    fireEvent.click(screen.getAllByRole('checkbox')[0]!)
    fireEvent.click(screen.getByTestId('new-video'))
    fireEvent.click(await screen.findByTestId('composer-create'))
    await waitFor(() => expect(fake.of('storyboards/create')).toHaveLength(1))
    expect(fake.of('storyboards/create')[0]).toMatchObject({ projectId: 'promo', from: { kind: 'assets', assetIds: ['a1'] }, render: false })
    expect(screen.getByTestId('queue-panel')).toBeTruthy()
    fireEvent.click(screen.getByTestId('toggle-dock'))
    expect(screen.queryByTestId('queue-panel')).toBeNull()
  })

  it('finds media paths in a job result', () => {
    expect(mediaPaths({ video: '/d/jobs/1/v.mp4', nested: [{ audio: '/d/a.wav' }], text: 'hello', note: '/d/x.txt' })).toEqual(['/d/jobs/1/v.mp4', '/d/a.wav'])
  })
})

describe('project editor: visuals and dropped sheets', () => {
  it('offers only images and videos as visuals, says why audio is not offered, and never sends audio', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 3, createdAt: 1 }])
    const asset = (id: string, name: string, kind: 'image' | 'audio' | 'video') => ({ id, projectId: 'promo', name, kind, path: `/data/assets/promo/${name}`, bytes: 10, createdAt: 1 })
    const fake = mount(<ProjectEditor />, {
      'assets/list': ok([asset('a1', 'beach.png', 'image'), asset('a2', 'voice.mp3', 'audio'), asset('a3', 'waves.mp4', 'video')]),
      'storyboards/list': ok([]),
      'storyboards/create': ok(storyboard({ scenes: [] })),
      'storyboards/get': ok(storyboard({ scenes: [] }))
    })
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(3))
    expect(screen.getByTestId('audio-not-visual').textContent).toMatch(/Audio files cannot be picked/)
    expect(screen.queryByRole('checkbox', { name: 'Select voice.mp3' })).toBeNull()
    for (const box of screen.getAllByRole('checkbox')) fireEvent.click(box)
    fireEvent.click(screen.getByTestId('new-video'))
    fireEvent.click(await screen.findByTestId('composer-create'))
    await waitFor(() => expect(fake.of('storyboards/create')).toHaveLength(1))
    expect((fake.of('storyboards/create')[0] as { from: { assetIds: string[] } }).from.assetIds).toEqual(['a1', 'a3'])
  })

  it('a spreadsheet dropped on an open project makes a batch in that project', async () => {
    getStudio().setProjects([
      { id: 'default', name: 'Default', jobCount: 0, assetCount: 0, createdAt: 1 },
      { id: 'promo', name: 'Promo', jobCount: 0, assetCount: 0, createdAt: 2 }
    ])
    getStudio().selectProject('promo')
    getStudio().setView('projects')
    getStudio().setPipelines([{ name: 'video', title: 'Video', mainField: 'idea', fields: ['idea'], steps: [] }])
    const preview = { headers: ['idea'], format: 'csv', encoding: 'utf-8', delimiter: ',', sampleRows: [{ rowNumber: 2, values: { idea: 'Un phare' } }], mapping: { idea: 'idea' }, sheets: [] }
    const fake = mount(<App />, { 'assets/list': ok([]), 'batch/preview': ok(preview), 'batch/create': ok(batch({ id: 'b3', projectId: 'promo' })) })
    const sheet = new File(['idea\nUn phare\n'], 'idees.csv', { type: 'text/csv' })
    fireEvent.drop(screen.getByTestId('project-view'), { dataTransfer: { files: [sheet], types: ['Files'] } })
    await waitFor(() => expect(screen.getByTestId('batch-preview').textContent).toMatch(/Un phare/))
    fireEvent.click(screen.getByTestId('batch-create-start'))
    await waitFor(() => expect(fake.of('batch/create')).toHaveLength(1))
    expect(fake.of('batch/create')[0]).toMatchObject({ projectId: 'promo' })
  })
})

describe('batch configuration form', () => {
  it('shows French labels, never the raw option values, in every selector', () => {
    getStudio().setLocale('fr')
    getStudio().setPipelines([{ name: 'video', title: 'Video from an idea', mainField: 'idea', fields: ['idea'], steps: [] }, ...PIPELINES])
    mount(<BatchConfigForm value={DEFAULT_FORM} onChange={() => {}} />)
    const labels = (id: string) => [...(screen.getByTestId(id) as HTMLSelectElement).options].map((o) => o.textContent)
    expect(labels('cfg-selective')).toContain('Amélioration légère')
    expect(labels('cfg-humanSimulation')).toContain('Simulation légère')
    expect(labels('cfg-pipeline')).toEqual(['Vidéo', 'Three steps', 'One step'])
    for (const id of ['cfg-selective', 'cfg-adversarial', 'cfg-humanSimulation', 'cfg-patternBreaking']) {
      for (const o of (screen.getByTestId(id) as HTMLSelectElement).options) expect(o.textContent).not.toBe(o.value)
    }
  })
})

describe('shell: language, theme, connection', () => {
  it('French and English have the same keys, and French follows navigator.language', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort())
    expect(defaultLocale('fr-CA')).toBe('fr')
    expect(defaultLocale('en-GB')).toBe('en')
    expect(translate('fr', 'queue.allDoneIn', { time: '3 min' })).toBe('Tout fini dans 3 min')
  })

  it('switches language and theme from the top bar', () => {
    getStudio().setJobs([])
    mount(<App />)
    act(() => getStudio().setConnection({ state: 'open', epoch: 1, retryInMs: null }))
    fireEvent.click(screen.getByTestId('lang-toggle'))
    expect(screen.getByTestId('nav-queue').textContent).toMatch(/File/)
    expect(document.documentElement.lang).toBe('fr')
    fireEvent.click(screen.getByTestId('theme-toggle'))
    expect(document.documentElement.dataset.theme).toBe('dark')
    fireEvent.click(screen.getByTestId('theme-toggle'))
    expect(document.documentElement.dataset.theme).toBe('light')
  })

  it('shows a reconnecting banner, and a clear page when the token is refused', () => {
    mount(<App />)
    act(() => getStudio().setConnection({ state: 'reconnecting', epoch: 1, retryInMs: 2000 }))
    expect(screen.getByTestId('reconnecting').textContent).toMatch(/reconnecting/i)
    act(() => getStudio().setConnection({ state: 'unauthorized', epoch: 1, retryInMs: null }))
    expect(screen.getByTestId('unauthorized').textContent).toMatch(/#token=/)
  })

  it('? opens the shortcut list', () => {
    mount(<App />)
    fireEvent.keyDown(window, { key: '?' })
    expect(screen.getByTestId('shortcuts').textContent).toMatch(/Alt/)
  })

  it('an unavailable command elsewhere is a message, not a crash', async () => {
    getStudio().setView('settings')
    mount(<App />, { 'system/doctor': fail('unavailable', 'system/doctor is not available in this session') })
    fireEvent.click(screen.getByTestId('doctor'))
    await waitFor(() => expect(screen.getAllByText('system/doctor is not available in this session').length).toBeGreaterThan(0))
  })
})
