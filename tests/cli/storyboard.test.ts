import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

/** The project and storyboard commands scripts rely on, with --json, on the real studio. */
describe('studio project / storyboard', () => {
  it('create a project, add media, make a storyboard from them, edit, undo, estimate and render it', async () => {
    const dir = tempDir('studio-cli-sb-')
    const studio = cli(join(dir, 'data'), 'studio')
    const files = await Promise.all(
      ['#225588', '#aa6611'].map(async (colour, i) => {
        const file = join(dir, `pic-${i}.png`)
        await sharp({ create: { width: 320, height: 240, channels: 3, background: colour } }).png().toFile(file)
        return file
      })
    )
    const project = await studio('project', 'create', 'Bee film', '--json')
    expect(project.code, project.err).toBe(0)
    const projectId = JSON.parse(project.out).id as string
    const media = await studio('project', 'add-media', projectId, ...files, '--json')
    expect(media.code, media.err).toBe(0)
    const assetIds = (JSON.parse(media.out) as Array<{ id: string; kind: string }>).map((a) => a.id)
    expect(assetIds).toHaveLength(2)

    const created = await studio('storyboard', 'create', '--project', projectId, '--assets', assetIds.join(','), '--format', '1:1', '--json')
    expect(created.code, created.err).toBe(0)
    const board = JSON.parse(created.out)
    expect(board.scenes.map((s: { index: number; narration: string; visual: { assetId: string } }) => [s.index, s.narration, s.visual.assetId])).toEqual([
      [0, '', assetIds[0]],
      [1, '', assetIds[1]]
    ])
    expect(typeof board.scenes[0].id).toBe('string')

    expect((await studio('storyboard', 'edit', board.id, '1', '--narration', 'Bees dance to talk.')).code).toBe(0)
    const edited = await studio('storyboard', 'edit', board.id, '2', '--narration', 'The dance points at flowers.', '--json')
    expect(JSON.parse(edited.out).scenes[1].narration).toBe('The dance points at flowers.')
    const added = JSON.parse((await studio('storyboard', 'add-scene', board.id, '--after', '2', '--narration', 'A third scene.', '--json')).out)
    expect(added.scenes).toHaveLength(3)
    const undone = JSON.parse((await studio('storyboard', 'undo', board.id, '--json')).out)
    expect(undone.scenes).toHaveLength(2)
    expect(JSON.parse((await studio('storyboard', 'redo', board.id, '--json')).out).scenes).toHaveLength(3)
    expect(JSON.parse((await studio('storyboard', 'edit', board.id, '3', '--remove', '--json')).out).scenes).toHaveLength(2)
    const moved = JSON.parse((await studio('storyboard', 'edit', board.id, '1', '--move-to', '2', '--json')).out)
    expect(moved.scenes.map((s: { narration: string }) => s.narration)).toEqual(['The dance points at flowers.', 'Bees dance to talk.'])

    const list = JSON.parse((await studio('storyboard', 'list', '--project', projectId, '--json')).out)
    expect(list).toMatchObject([{ id: board.id, sceneCount: 2, format: '1:1' }])
    const estimate = await studio('storyboard', 'render', board.id, '--draft', '--estimate', '--json')
    expect(JSON.parse(estimate.out)).toMatchObject({ scenes: 2, scenesChanged: 2, estimatedCostUsd: 0 })
    // An estimate queues nothing.
    expect(JSON.parse((await studio('list', '--json')).out)).toHaveLength(0)

    const render = await studio('storyboard', 'render', board.id, '--draft', '--json')
    expect(render.code, render.err).toBe(0)
    const jobId = JSON.parse(render.out).jobId as string
    const run = await studio('run', '--until-idle')
    expect(run.code, run.err).toBe(0)
    const shown = JSON.parse((await studio('show', jobId, '--json')).out)
    expect(shown.status).toBe('completed')
    expect(shown.steps.map((s: { name: string }) => s.name.split(':')[0])).toEqual(['voice', 'visual', 'voice', 'visual', 'segment', 'segment', 'assemble'])
    expect(shown.steps[0].title).toBe('Scene 1 · voice')
    const text = (await studio('show', jobId)).out
    expect(text).toMatch(/Scene 2 · segment {2}\[segment:[0-9a-f]+\] completed/)

    // A second render of the unchanged storyboard reuses everything and says so.
    const again = JSON.parse((await studio('storyboard', 'render', board.id, '--draft', '--json')).out).jobId as string
    await studio('run', '--until-idle')
    expect((await studio('show', again)).out).toMatch(/Scene 1 · segment {2}\[segment:[0-9a-f]+\] completed +attempts 1 {2}\(reused, unchanged/)
    const final = JSON.parse((await studio('storyboard', 'show', board.id, '--json')).out)
    expect(final.renders[0]).toMatchObject({ status: 'completed', stepsRun: 0 })
    expect(final.scenes.every((s: { changed: boolean }) => !s.changed)).toBe(true)
  }, 240_000)

  it('says what is wrong, naming the option or the scene', async () => {
    const studio = cli(join(tempDir('studio-cli-sb-err-'), 'data'), 'studio')
    const missing = await studio('storyboard', 'create', '--project', 'nope', '--blank')
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/--project: no project "nope"/)
    await studio('project', 'create', 'P')
    const two = await studio('storyboard', 'create', '--project', 'p', '--blank', '--idea', 'x')
    expect(two.code).toBe(2)
    expect(two.err).toMatch(/exactly one of --idea/)
    const board = JSON.parse((await studio('storyboard', 'create', '--project', 'p', '--blank', '--json')).out)
    const empty = await studio('storyboard', 'render', board.id, '--json')
    expect(empty.code).toBe(1)
    expect(JSON.parse(empty.err).error.message).toMatch(/no scene to render/)
    const none = await studio('storyboard', 'edit', board.id, '1', '--narration', 'x')
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/no scene yet/)
    await studio('storyboard', 'add-scene', board.id, '--narration', 'hello')
    const bad = await studio('storyboard', 'edit', board.id, '1', '--duration', 'soon')
    expect(bad.err).toMatch(/--duration must be a number/)
    const far = await studio('storyboard', 'edit', board.id, '1', '--duration', '500')
    expect(far.code).toBe(1)
    expect(far.err).toMatch(/duration\.seconds: seconds must be at most 120 s/)
  })
})
