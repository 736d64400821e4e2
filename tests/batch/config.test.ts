import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  DEFAULT_BATCH_CONFIG,
  listConfigs,
  loadConfig,
  parseBatchConfig,
  safeParseBatchConfig,
  saveConfig,
  validateConfigName
} from '../../src/main/engine/batch/config'
import { makeTempDir } from './helpers/fs'

let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()))
afterAll(() => cleanup())

describe('batch config schema', () => {
  it('fills every default', () => {
    expect(parseBatchConfig({})).toEqual({
      pipeline: 'video',
      selective: 'standardEnhancement',
      adversarial: 'none',
      humanSimulation: 'none',
      patternBreaking: 'none',
      intensity: 1,
      saveIntermediateSteps: false
    })
    expect(DEFAULT_BATCH_CONFIG).toEqual(parseBatchConfig({}))
  })

  it('accepts seed 3’s example structure', () => {
    const config = parseBatchConfig({
      selective: 'fullEnhancement',
      adversarial: 'adaptive',
      humanSimulation: 'lightSimulation',
      patternBreaking: 'connectorsFocus',
      intensity: 1.5,
      rowRange: { start: 2, end: 10 },
      saveIntermediateSteps: true,
      mapping: { idea: 'Sujet', style: null },
      template: { source: 'https://autocollant.fra1.digitaloceanspaces.com/templates/', file: 'video.xml' }
    })
    expect(config.rowRange).toEqual({ start: 2, end: 10 })
    expect(config.mapping).toEqual({ idea: 'Sujet', style: null })
    expect(config.pipeline).toBe('video')
  })

  it('names each bad field in the error', () => {
    const result = safeParseBatchConfig({
      selective: 'turbo',
      intensity: 2,
      humanSimulation: 'lightEnhancement',
      rowRange: { start: 10, end: 3 },
      saveIntermediateSteps: 'yes',
      selectiv: 'lightEnhancement'
    })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual([
      {
        field: 'selective',
        message: 'must be one of lightEnhancement, standardEnhancement, fullEnhancement, personalityFocus, fluidityFocus (got "turbo")'
      },
      {
        field: 'humanSimulation',
        message: 'must be one of none, lightSimulation, personalityFocus, adaptive (got "lightEnhancement")'
      },
      { field: 'intensity', message: 'must be from 0.5 to 1.5' },
      { field: 'rowRange.end', message: 'must be greater than or equal to start' },
      { field: 'saveIntermediateSteps', message: 'must be true or false' },
      { field: 'selectiv', message: 'unknown setting (misspelled?)' }
    ])
  })

  it('throws ConfigError with a readable message', () => {
    expect(() => parseBatchConfig({ intensity: 0.2, rowRange: { start: 1 } })).toThrow(
      new ConfigError([
        { field: 'intensity', message: 'must be from 0.5 to 1.5' },
        { field: 'rowRange.start', message: 'must be 2 or more (row 1 is the header row)' }
      ])
    )
    expect(() => parseBatchConfig('fast')).toThrow('config: must be an object')
    expect(() => parseBatchConfig({ template: { source: 'x', file: '../etc/passwd' } })).toThrow(/template\.file: must be a plain file name/)
    expect(() => parseBatchConfig({ mapping: { idea: '' } })).toThrow(/mapping\.idea: must be a column name, or null to ignore/)
  })
})

describe('named configs', () => {
  it('saves with defaults filled, loads back, lists by name', async () => {
    const saved = await saveConfig(dir, 'Vidéos courtes', { adversarial: 'light', rowRange: { start: 2 } })
    expect(saved.adversarial).toBe('light')
    expect(saved.intensity).toBe(1)
    expect(await loadConfig(dir, 'Vidéos courtes')).toEqual(saved)
    await saveConfig(dir, 'alpha', {})
    expect(await listConfigs(dir)).toEqual(['alpha', 'Vidéos courtes'])
    // No temp file left behind by the atomic write.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(JSON.parse(await readFile(join(dir, 'alpha.json'), 'utf8'))).toEqual(DEFAULT_BATCH_CONFIG)
  })

  it('refuses names that could escape the folder or break on Windows', () => {
    for (const name of ['../evil', 'a/b', 'a\\b', '..', '.hidden', 'x..y', 'CON', 'nul.json', '', ' ', 'trailing.', 'a'.repeat(65)]) {
      expect(() => validateConfigName(name), name).toThrow(ConfigError)
    }
    expect(() => validateConfigName('../evil')).toThrow(/^name: "\.\.\/evil" may only contain letters/)
    expect(validateConfigName(' Été 2025 - v1.2 ')).toBe('Été 2025 - v1.2')
  })

  it('rejects an invalid config before writing anything', async () => {
    await expect(saveConfig(dir, 'bad', { intensity: 9 } as never)).rejects.toThrow('config "bad": intensity: must be from 0.5 to 1.5')
    expect(await listConfigs(dir)).not.toContain('bad')
  })

  it('explains a missing config, a broken file and an outdated one', async () => {
    await expect(loadConfig(dir, 'nope')).rejects.toThrow(/name: no saved config "nope" \(saved: alpha, Vidéos courtes\)/)
    await writeFile(join(dir, 'broken.json'), '{ "selective": ')
    await expect(loadConfig(dir, 'broken')).rejects.toThrow(/broken\.json is not valid JSON/)
    await writeFile(join(dir, 'old.json'), JSON.stringify({ selective: 'removedStack' }))
    await expect(loadConfig(dir, 'old')).rejects.toThrow(/config "old" \(.*old\.json\): selective: must be one of/)
  })

  it('reads a config saved with a byte order mark (Windows Notepad)', async () => {
    await writeFile(join(dir, 'notepad.json'), '\uFEFF' + JSON.stringify({ intensity: 1.2 }), 'utf8')
    expect(await loadConfig(dir, 'notepad')).toMatchObject({ intensity: 1.2 })
  })

  it('lists nothing for a folder that does not exist', async () => {
    expect(await listConfigs(join(dir, 'missing'))).toEqual([])
  })
})
