// @vitest-environment jsdom
/**
 * Results first: a finished job's detail opens on its result — a large player for a video, with
 * open folder / export / open storyboard / retry — and its steps, log and data come after,
 * collapsed, with no path printed twice and paths relative to the data folder. A running step
 * shows its own progress (ffmpeg's frames and time), not empty figures.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { JobDetail } from '../../src/renderer/src/components/tracker/JobDetail'
import { jobResult, stepOutputShown } from '../../src/renderer/src/components/tracker/ResultView'
import { getStudio } from '../../src/renderer/src/store'
import { detail, fakeApi, job, ok, step } from './fixtures'
import { installLayout } from './setup-dom'
import { storyboard } from './storyboard-fixtures'

beforeEach(() => installLayout())

const DATA = '/home/ana/.studio'

function renderJob() {
  const j = job({ id: 'render-1', type: 'storyboard', title: 'Spring promo', status: 'completed', progress: 100, projectId: 'promo', completedAt: 2 })
  const steps = [
    step({ name: 'voice:s1', index: 0, status: 'completed', output: { reused: true, audio: `${DATA}/projects/promo/cache/v1.wav` }, files: { audio: `${DATA}/projects/promo/cache/v1.wav` } }),
    step({
      name: 'assemble',
      index: 1,
      status: 'completed',
      output: { video: `${DATA}/storyboards/sb1/renders/render-1/video.mp4`, durationSec: 9 },
      files: { video: `${DATA}/storyboards/sb1/renders/render-1/video.mp4`, subtitles: `${DATA}/storyboards/sb1/renders/render-1/video.srt` }
    })
  ]
  return { j, d: { ...detail(j, steps), result: { video: `${DATA}/storyboards/sb1/renders/render-1/video.mp4` } } }
}

describe('job detail, results first', () => {
  it('opens on a large player and the actions; the steps come after, collapsed, each path shown once', async () => {
    const { j, d } = renderJob()
    getStudio().setJobs([j])
    getStudio().setStoryboard(storyboard())
    getStudio().noteRender('render-1', 'sb1')
    const fake = fakeApi({ 'jobs/get': ok(d), 'jobs/logs': ok([]) })
    render(
      <ApiProvider api={fake.api}>
        <JobDetail id="render-1" />
      </ApiProvider>
    )
    const hero = await screen.findByTestId('job-result')
    const video = within(hero).getByTestId('result-video')
    expect(video.getAttribute('src')).toContain(encodeURIComponent(`${DATA}/storyboards/sb1/renders/render-1/video.mp4`))
    // The result comes before the steps, which are folded away.
    const article = screen.getByTestId('job-detail')
    const order = [...article.querySelectorAll('[data-testid="job-result"], [data-testid="job-details"]')].map((e) => e.getAttribute('data-testid'))
    expect(order).toEqual(['job-result', 'job-details'])
    expect((screen.getByTestId('job-details') as HTMLDetailsElement).open).toBe(false)
    expect(screen.getByTestId('result-path').textContent).toBe('storyboards/sb1/renders/render-1/video.mp4')
    // The assemble step's output does not print the video path its files already show.
    const assemble = screen.getAllByTestId('step').find((s) => s.getAttribute('data-step') === 'assemble')!
    expect(assemble.textContent).not.toContain('video.mp4"')
    expect(assemble.textContent).toContain('"durationSec": 9')
    fireEvent.click(screen.getByTestId('result-storyboard'))
    expect(getStudio().view).toBe('projects')
    expect(getStudio().openStoryboards.promo).toBe('sb1')
  })

  it('a running step shows its progress and ffmpeg\'s frames and time', async () => {
    const j = job({ id: 'render-2', type: 'storyboard', status: 'processing', progress: 40, currentStep: 'segment:s1' })
    const d = detail(j, [step({ name: 'segment:s1', index: 0, status: 'running', progress: 20 })])
    getStudio().setJobs([j])
    const fake = fakeApi({ 'jobs/get': ok(d), 'jobs/logs': ok([]) })
    render(
      <ApiProvider api={fake.api}>
        <JobDetail id="render-2" />
      </ApiProvider>
    )
    getStudio().applyEvents([{ type: 'job.progress', jobId: 'render-2', progress: 45, step: 'segment:s1', stepProgress: 62, message: 'frame=148 time=00:00:05.92' }])
    await waitFor(() => expect(screen.getByTestId('step-live').textContent).toBe('62% done · frame=148 time=00:00:05.92'))
    expect(screen.queryByTestId('job-result')).toBeNull()
    expect((screen.getByTestId('job-details') as HTMLDetailsElement).open).toBe(true)
  })

  it('picks the result a person wants first: video, else picture, sound, text', () => {
    const withFiles = (files: Record<string, string>, result: unknown = null) => ({ result: result as never, steps: [step({ name: 'a', index: 0, files })] })
    expect(jobResult(withFiles({ a: '/d/x.wav', b: '/d/x.png' }))).toMatchObject({ kind: 'image', path: '/d/x.png' })
    expect(jobResult(withFiles({ a: '/d/x.wav' }))).toMatchObject({ kind: 'audio' })
    expect(jobResult(withFiles({ v: '/d/v.mp4', s: '/d/v.srt' }))).toEqual({ kind: 'video', path: '/d/v.mp4', text: null, companions: ['/d/v.srt'] })
    expect(jobResult(withFiles({}, { text: 'A short script.' }))).toMatchObject({ kind: 'text', text: 'A short script.' })
    expect(jobResult(withFiles({}))).toBeNull()
    expect(stepOutputShown({ path: '/d/a.png', other: '/d/b.txt', n: 1 }, { img: '/d/a.png' }, '/d')).toEqual({ other: 'b.txt', n: 1 })
  })
})
