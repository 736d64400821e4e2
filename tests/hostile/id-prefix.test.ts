import { describe, expect, it } from 'vitest'
import { BatchManager } from '../../src/main/engine/batch/manager'
import { cli } from '../helpers/cli'
import { openTestEngine, tempDir } from '../helpers/engine'
import { csvFile } from '../batch/helpers/batches'

/** `%` and `_` in an id prefix are characters to compare, never wildcards. */
describe('id prefixes are matched literally', () => {
  it('`studio rm %%%%`, `show ____` and `show a%%%` name no job; a real prefix still does', async () => {
    const run = cli(tempDir())
    const id = (await run('add', 'one', '--input', '{}')).out.trim()
    for (const prefix of ['%%%%', '____', `${id[0]}%%%`, `${id.slice(0, 2)}__`]) {
      const rm = await run('rm', prefix)
      expect(rm.code, prefix).toBe(1)
      expect(rm.err).toContain(`no job with id ${prefix}`)
      expect((await run('show', prefix)).code).toBe(1)
    }
    expect(JSON.parse((await run('list', '--json')).out)).toHaveLength(1)
    expect((await run('show', id.slice(0, 6).toUpperCase())).code).toBe(0)
    expect((await run('rm', id.slice(0, 6))).out).toContain(`removed ${id}`)
  })

  it('the engine: queue.require and batches.require with wildcards find nothing', async () => {
    const dir = tempDir()
    const engine = openTestEngine({}, dir)
    const batches = new BatchManager(engine)
    try {
      const job = engine.queue.enqueue({ type: 'one', input: {} })
      expect(() => engine.queue.require('%%%%')).toThrow(/no job with id %%%%/)
      expect(() => engine.queue.require('____')).toThrow(/no job with id/)
      expect(engine.queue.require(job.id.slice(0, 5)).id).toBe(job.id)
      const created = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'a.csv', ['idea', 'x']) }, config: { pipeline: 'one' } })
      expect(() => batches.stopBatch('____')).toThrow(/no batch with id ____/)
      expect(() => batches.require('%%%%')).toThrow(/no batch/)
      expect(batches.view(created.id).status).toBe('idle')
      expect(batches.require(created.id.slice(0, 4)).id).toBe(created.id)
    } finally {
      batches.stop()
      await engine.close(0)
    }
  })

  it('`list --text` looks for the characters given: "100%" does not find every job', async () => {
    const run = cli(tempDir())
    await run('add', 'one', '--input', '{"idea":"a 100% sure idea"}')
    await run('add', 'one', '--input', '{"idea":"a 1000 ideas"}')
    const found = JSON.parse((await run('list', '--text', '100%', '--json')).out) as { payload: { idea: string } }[]
    expect(found.map((j) => j.payload.idea)).toEqual(['a 100% sure idea'])
    const under = JSON.parse((await run('list', '--text', 'a_1', '--json')).out)
    expect(under).toHaveLength(0)
  })
})
