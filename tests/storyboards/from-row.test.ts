import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

describe('a batch that makes storyboards', () => {
  it('makes one storyboard per row, for review, and a retried row finds its own', async () => {
    const dir = tempDir('studio-sb-batch-')
    const studio = cli(join(dir, 'data'), 'studio')
    writeFileSync(join(dir, 'ideas.csv'), 'idea,language\nWhy bees dance,en\nPourquoi les chouettes voient la nuit,fr\n')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ pipeline: 'storyboard-idea' }))
    const batch = await studio('batch', join(dir, 'ideas.csv'), '--config', join(dir, 'config.json'), '--project', 'films', '--json')
    expect(batch.code, batch.err).toBe(0)
    const boards = JSON.parse((await studio('storyboard', 'list', '--project', 'films', '--json')).out) as Array<{ id: string; title: string; sceneCount: number }>
    expect(boards.map((b) => b.title).sort()).toEqual(['Pourquoi les chouettes voient la nuit', 'Why bees dance'])
    expect(boards.every((b) => b.sceneCount >= 2)).toBe(true)
    // Nothing rendered: the storyboards wait for review.
    const jobs = JSON.parse((await studio('list', '--json')).out) as Array<{ id: string; type: string; result: { output: { storyboardId: string } } }>
    expect(jobs.map((j) => j.type)).toEqual(['storyboard-idea', 'storyboard-idea'])
    const job = jobs[0]!
    expect(boards.map((b) => b.id)).toContain(job.result.output.storyboardId)
    const french = JSON.parse((await studio('storyboard', 'show', boards.find((b) => b.title.startsWith('Pourquoi'))!.id, '--json')).out)
    expect(french.settings.language).toBe('fr')

    expect((await studio('retry', job.id, '--from', 'storyboard')).code).toBe(0)
    expect((await studio('run', '--until-idle')).code).toBe(0)
    expect(JSON.parse((await studio('storyboard', 'list', '--project', 'films', '--json')).out)).toHaveLength(2)
  }, 120_000)
})
