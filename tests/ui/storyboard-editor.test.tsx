// @vitest-environment jsdom
/**
 * The storyboard workspace against a fake transport: narration typed in a card is sent once (on
 * blur or after a pause), not per keystroke; cards move by drag and by Alt+arrows (announced);
 * bin items dropped on a card or a gap become its picture or a new scene; Ctrl+Z / Ctrl+Shift+Z
 * undo and redo outside text fields; Render says what it will do, then shows each scene's
 * progress; the player's scrubber highlights a card; another process's edit is fetched again;
 * the composer creates from an idea.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { StoryboardEdit, StoryboardView } from '../../src/shared/storyboard'
import type { AssetView } from '../../src/shared/types'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { ProjectEditor } from '../../src/renderer/src/components/projects/ProjectEditor'
import { settled } from '../../src/renderer/src/components/projects/storyboard-actions'
import { getStudio } from '../../src/renderer/src/store'
import { detail, fakeApi, job, ok, step } from './fixtures'
import { edited, renderView, storyboard } from './storyboard-fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const assets: AssetView[] = [
  { id: 'img1', projectId: 'promo', name: 'beach.png', kind: 'image', path: '/data/projects/promo/assets/beach.png', bytes: 2048, createdAt: 1 },
  { id: 'img2', projectId: 'promo', name: 'dunes.png', kind: 'image', path: '/data/projects/promo/assets/dunes.png', bytes: 4096, createdAt: 2 }
]

/** A fake engine for one storyboard: edits are applied (enough for the UI), each answer is the whole view. */
function mountWorkspace(initial: StoryboardView = storyboard(), extra: Parameters<typeof fakeApi>[0] = {}) {
  let current = initial
  getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 2, createdAt: 1 }])
  const apply = (edit: StoryboardEdit) =>
    (current = edited(current, (v) => {
      if (edit.op === 'updateScene') Object.assign(v.scenes.find((s) => s.id === edit.sceneId)!, edit.patch, { changed: true })
      if (edit.op === 'moveScene') {
        const from = v.scenes.findIndex((s) => s.id === edit.sceneId)
        const [s] = v.scenes.splice(from, 1)
        v.scenes.splice(edit.index, 0, s!)
        v.scenes.forEach((s, i) => (s.index = i))
      }
      return v
    }))
  const fake = fakeApi({
    'assets/list': ok(assets),
    'storyboards/list': ok([{ id: current.id, projectId: 'promo', title: current.title, format: '9:16', sceneCount: current.scenes.length, revision: current.revision, updatedAt: 1, poster: null }]),
    'storyboards/get': () => ok(current),
    'storyboards/edit': (r: { edit: StoryboardEdit }) => ok(apply(r.edit)),
    'storyboards/undo': () => ok((current = { ...current, revision: current.revision + 1, title: 'undone' })),
    'storyboards/redo': () => ok((current = { ...current, revision: current.revision + 1, title: 'redone' })),
    'storyboards/plan': ok({ scenes: 3, scenesChanged: 2, stepsToRun: 7, stepsReused: 4, estimatedMs: 14_000, estimatedCostUsd: 0 }),
    ...extra
  })
  render(
    <ApiProvider api={fake.api}>
      <ProjectEditor />
    </ApiProvider>
  )
  return { fake, current: () => current }
}

const cards = () => screen.getAllByTestId('scene-card')
const edits = (fake: ReturnType<typeof fakeApi>) => fake.of('storyboards/edit').map((r) => (r as { edit: StoryboardEdit }).edit)

describe('scene cards', () => {
  it('narration is typed locally and sent once on blur, with its word count and spoken estimate shown as it is typed', async () => {
    const { fake } = mountWorkspace()
    await waitFor(() => expect(cards()).toHaveLength(3))
    const area = within(cards()[1]!).getByTestId('scene-narration') as HTMLTextAreaElement
    const text = 'The tide comes in twice a day and leaves the sand wet'
    for (let i = 1; i <= text.length; i++) fireEvent.change(area, { target: { value: text.slice(0, i) } })
    expect(within(cards()[1]!).getByTestId('scene-words').textContent).toBe('12 words · ~4.6 s')
    expect(fake.of('storyboards/edit')).toEqual([])
    fireEvent.blur(area)
    await waitFor(() => expect(edits(fake)).toEqual([{ op: 'updateScene', sceneId: 's2', patch: { narration: text } }]))
    // The answer does not undo what is on screen, and a second blur sends nothing more.
    await act(() => settled('sb1'))
    expect(area.value).toBe(text)
    fireEvent.blur(area)
    expect(fake.of('storyboards/edit')).toHaveLength(1)
  })

  it('Alt+Right moves the focused card one place and says so; the card keeps the focus', async () => {
    const { fake } = mountWorkspace()
    await waitFor(() => expect(cards()).toHaveLength(3))
    cards()[0]!.focus()
    fireEvent.keyDown(cards()[0]!, { key: 'ArrowRight', altKey: true })
    await waitFor(() => expect(edits(fake)).toEqual([{ op: 'moveScene', sceneId: 's1', index: 1 }]))
    await waitFor(() => expect(cards().map((c) => c.getAttribute('data-scene-id'))).toEqual(['s2', 's1', 's3']))
    expect(screen.getByTestId('strip-announcement').textContent).toBe('Scene moved from position 1 to position 2 of 3')
    await waitFor(() => expect(document.activeElement?.getAttribute('data-scene-id')).toBe('s1'))
    // The first card cannot go further left: nothing is sent.
    fireEvent.keyDown(cards()[0]!, { key: 'ArrowLeft', altKey: true })
    expect(fake.of('storyboards/edit')).toHaveLength(1)
  })

  it('a card dragged onto another takes its place; a bin picture dropped on a card becomes its visual, in a gap a new scene', async () => {
    const { fake } = mountWorkspace()
    await waitFor(() => expect(cards()).toHaveLength(3))
    const data = new Map<string, string>()
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k) ?? '', get types() { return [...data.keys()] }, files: [], dropEffect: 'none', effectAllowed: 'all' }
    fireEvent.dragStart(within(cards()[2]!).getByTestId('scene-handle'), { dataTransfer })
    fireEvent.dragOver(cards()[0]!, { dataTransfer })
    fireEvent.drop(cards()[0]!, { dataTransfer })
    await waitFor(() => expect(edits(fake).at(-1)).toEqual({ op: 'moveScene', sceneId: 's3', index: 0 }))

    data.clear()
    const item = screen.getAllByTestId('asset').find((a) => a.getAttribute('data-asset-id') === 'img2')!
    fireEvent.dragStart(item, { dataTransfer })
    fireEvent.drop(cards()[1]!, { dataTransfer })
    await waitFor(() => expect(edits(fake).at(-1)).toEqual({ op: 'updateScene', sceneId: cards()[1]!.getAttribute('data-scene-id'), patch: { visual: { kind: 'asset', assetId: 'img2' } } }))

    const gaps = screen.getAllByTestId('scene-gap')
    fireEvent.drop(gaps[gaps.length - 1]!, { dataTransfer })
    await waitFor(() => expect(edits(fake).at(-1)).toEqual({ op: 'addScene', index: 3, scene: { visual: { kind: 'asset', assetId: 'img2' } } }))
  })

  it('Ctrl+Z undoes and Ctrl+Shift+Z redoes outside text fields; inside a narration with nothing typed, Ctrl+Z undoes the storyboard too', async () => {
    const { fake } = mountWorkspace()
    await waitFor(() => expect(cards()).toHaveLength(3))
    fireEvent.keyDown(cards()[0]!, { key: 'z', ctrlKey: true })
    await waitFor(() => expect(fake.of('storyboards/undo')).toHaveLength(1))
    fireEvent.keyDown(cards()[0]!, { key: 'Z', ctrlKey: true, shiftKey: true })
    await waitFor(() => expect(fake.of('storyboards/redo')).toHaveLength(1))
    const area = within(cards()[0]!).getByTestId('scene-narration')
    fireEvent.keyDown(area, { key: 'z', ctrlKey: true })
    await waitFor(() => expect(fake.of('storyboards/undo')).toHaveLength(2))
    // While something typed is not sent yet, Ctrl+Z is the text field's own undo.
    fireEvent.change(area, { target: { value: 'draft' } })
    fireEvent.keyDown(area, { key: 'z', ctrlKey: true })
    expect(fake.of('storyboards/undo')).toHaveLength(2)
    fireEvent.blur(area)
    await act(() => settled('sb1'))
  })
})

describe('render, player and live updates', () => {
  it('shows the plan before rendering, then each scene\'s progress from the job\'s step events', async () => {
    const running = renderView({ jobId: 'render-1', status: 'processing', video: null, subtitles: null, completedAt: null })
    const { fake } = mountWorkspace(storyboard(), {
      'storyboards/render': () => ok({ storyboard: { ...storyboard(), revision: 1, renders: [running] }, job: job({ id: 'render-1', status: 'processing', type: 'storyboard', projectId: 'promo' }) })
    })
    await waitFor(() => expect(screen.getByTestId('render-plan').textContent).toBe('2 of 3 scenes changed · ~14s · $0.00'))
    fireEvent.click(screen.getByTestId('render'))
    await waitFor(() => expect(fake.of('storyboards/render')).toEqual([{ id: 'sb1' }]))
    await waitFor(() => expect(screen.getByTestId('render-progress')).toBeTruthy())
    act(() =>
      getStudio().applyEvents([
        { type: 'job.progress', jobId: 'render-1', progress: 30, step: 'voice:s2', stepProgress: 100, message: null },
        { type: 'job.progress', jobId: 'render-1', progress: 40, step: 'segment:s2', stepProgress: 50, message: 'frame=120 time=00:00:04' }
      ])
    )
    const bar = within(cards()[1]!).getByTestId('scene-progress')
    expect(bar.getAttribute('aria-valuenow')).toBe('50')
    expect(within(cards()[0]!).queryByTestId('scene-progress')).toBeNull()
    expect(screen.getByTestId('render-progress').textContent).toMatch(/40%.*frame=120/)
  })

  it('plays the newest render; the scrubber jumps to a scene and highlights its card; reused scenes are marked', async () => {
    // The newest whole render r2 re-encoded s2 and reused s1 and s3 (its steps say so); a later
    // draft is played but says nothing about what the render reused.
    const view = storyboard({ renders: [renderView({ jobId: 'r3', draft: true }), renderView({ jobId: 'r2' })] })
    view.scenes.forEach((s) => ((s.changed = false), (s.renderedSec = 3)))
    view.scenes[1]!.changed = true
    const r2 = detail(job({ id: 'r2', type: 'storyboard', status: 'completed' }), [
      step({ name: 'voice:s1', index: 0, status: 'completed', output: { reused: true } }),
      step({ name: 'segment:s1', index: 1, status: 'completed', output: { reused: true } }),
      step({ name: 'segment:s2', index: 2, status: 'completed', output: { reused: false } }),
      step({ name: 'segment:s3', index: 3, status: 'completed', output: { reused: true } }),
      step({ name: 'assemble', index: 4, status: 'completed', output: { reused: false } })
    ])
    const { fake } = mountWorkspace(view, { 'jobs/get': (r: { id: string }) => (r.id === 'r2' ? ok(r2) : { ok: false, error: { code: 'not_found', message: 'no such job' } }) })
    await waitFor(() => expect(within(cards()[0]!).queryByTestId('scene-reused')).not.toBeNull())
    expect(fake.of('jobs/get').map((r) => (r as { id: string }).id)).toEqual(['r2'])
    const video = (await screen.findByTestId('player-video')) as HTMLVideoElement
    expect(video.getAttribute('src')).toBe('/files?path=' + encodeURIComponent('/data/storyboards/sb1/renders/r3/video.mp4') + '&token=t')
    fireEvent.click(screen.getAllByTestId('scrubber-scene')[2]!)
    expect(video.currentTime).toBeCloseTo(6.01)
    await waitFor(() => expect(cards()[2]!.getAttribute('aria-current')).toBe('true'))
    expect(cards().map((c) => Boolean(within(c).queryByTestId('scene-reused')))).toEqual([true, false, true])
    expect(within(cards()[1]!).getByTestId('scene-changed').textContent).toBe('Changed')
    expect(screen.getAllByTestId('render-version')[1]!.textContent).toMatch(/9 steps run · 0 reused/)
  })

  it('fetches the open storyboard again when another process edits it', async () => {
    const { fake } = mountWorkspace()
    await waitFor(() => expect(cards()).toHaveLength(3))
    const before = fake.of('storyboards/get').length
    act(() => getStudio().applyEvents([{ type: 'storyboard.changed', id: 'sb1', projectId: 'promo', revision: 7 }]))
    await waitFor(() => expect(fake.of('storyboards/get').length).toBe(before + 1))
  })
})

describe('composer', () => {
  it('creates from an idea with language, format, length and "render right away", then opens it', async () => {
    const made = storyboard({ id: 'sb2', title: 'Octopus hearts' })
    const { fake } = mountWorkspace(storyboard(), { 'storyboards/create': ok(made) })
    await waitFor(() => expect(cards()).toHaveLength(3))
    fireEvent.click(screen.getByTestId('new-video'))
    const dialog = await screen.findByTestId('composer')
    fireEvent.click(within(dialog).getByTestId('composer-create'))
    expect(within(dialog).getByTestId('composer-error').textContent).toBe('Write an idea of at least 3 characters.')
    fireEvent.change(within(dialog).getByTestId('composer-idea'), { target: { value: 'Why octopuses have three hearts' } })
    fireEvent.change(within(dialog).getByTestId('composer-language'), { target: { value: 'fr' } })
    fireEvent.change(within(dialog).getByTestId('composer-format'), { target: { value: '16:9' } })
    fireEvent.change(within(dialog).getByTestId('composer-length'), { target: { value: '60' } })
    fireEvent.click(within(dialog).getByTestId('composer-render'))
    fireEvent.click(within(dialog).getByTestId('composer-create'))
    await waitFor(() => expect(fake.of('storyboards/create')).toHaveLength(1))
    expect(fake.of('storyboards/create')[0]).toEqual({
      projectId: 'promo',
      from: { kind: 'idea', idea: 'Why octopuses have three hearts', lengthSec: 60 },
      settings: { format: '16:9', language: 'fr' },
      render: true
    })
    await waitFor(() => expect(getStudio().openStoryboards.promo).toBe('sb2'))
    expect(screen.queryByTestId('composer')).toBeNull()
  })

  it('says so when the storyboard engine is not in this session, and the bin still works', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 2, createdAt: 1 }])
    const fake = fakeApi({ 'assets/list': ok(assets), 'storyboards/list': { ok: false, error: { code: 'unavailable', message: 'storyboards/list is not available in this session' } } })
    render(
      <ApiProvider api={fake.api}>
        <ProjectEditor />
      </ApiProvider>
    )
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(2))
    await waitFor(() => expect(screen.getByTestId('projects').textContent).toMatch(/not available in this session/))
  })
})
