import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  mapRow,
  mapRows,
  MappingError,
  openRowSource,
  resolveMapping,
  type SourceRow
} from '../../src/main/engine/batch/sources'
import { makeTempDir, writeText } from './helpers/fs'

const videoInput = z.object({
  idea: z.string().min(3, { error: 'must be at least 3 characters' }),
  language: z.enum(['fr', 'en', 'de']).default('en'),
  voice: z.string().optional(),
  duration: z.number().int().min(5).max(600).default(60),
  subtitles: z.boolean().default(true)
})

const row = (rowNumber: number, values: Record<string, string>): SourceRow => ({ rowNumber, values })

describe('resolveMapping', () => {
  it('finds the main text and known fields by header name, ignoring case and accents', () => {
    const mapping = resolveMapping(['  SUJET ', 'Langue', 'Voix', 'Commentaire'], undefined, { schema: videoInput })
    expect(mapping.mainField).toBe('idea')
    expect(mapping.fields).toEqual([
      { field: 'idea', column: '  SUJET ', auto: true },
      { field: 'language', column: 'Langue', auto: true },
      { field: 'voice', column: 'Voix', auto: true }
    ])
    expect(mapping.unmappedColumns).toEqual(['Commentaire'])
  })

  it.each([['idea'], ['Idée'], ['IDEE'], ['topic'], ['Prompt'], ['sujet'], ['Titre'], ['title']])(
    'takes "%s" as the main text column',
    (header) => {
      expect(resolveMapping([header, 'other']).fields[0]).toEqual({ field: 'idea', column: header, auto: true })
    }
  )

  it('prefers "idea" over "title" when both exist (alias order)', () => {
    expect(resolveMapping(['title', 'idea']).fields.find((f) => f.field === 'idea')!.column).toBe('idea')
  })

  it('uses an explicit mapping, and null switches a default off', () => {
    const mapping = resolveMapping(['Texte', 'Langue', 'Style'], { idea: 'texte', style: null, voice: 'Langue' })
    expect(mapping.fields).toEqual([
      { field: 'idea', column: 'Texte', auto: false },
      { field: 'voice', column: 'Langue', auto: false },
      { field: 'language', column: 'Langue', auto: true }
    ])
  })

  it('only maps default fields the pipeline accepts when its schema is an object', () => {
    const mapping = resolveMapping(['idea', 'style', 'priority'], undefined, { schema: z.object({ idea: z.string() }) })
    expect(mapping.fields.map((f) => f.field)).toEqual(['idea'])
    // The priority is the job's, not the pipeline's: found whatever the schema accepts.
    expect(mapping.priorityColumn).toBe('priority')
    expect(mapping.unmappedColumns).toEqual(['style'])
  })

  it('skips default columns for fields that take structured values (a "Style" cell cannot fill an object)', () => {
    const schema = z.strictObject({
      idea: z.string(),
      language: z.enum(['en', 'fr']).default('en'),
      style: z.object({ tone: z.string() }).partial().optional(),
      preset: z.enum(['short', 'landscape']).optional(),
      images: z.number().int().default(4),
      music: z.boolean().default(true),
      assets: z.array(z.string()).optional()
    })
    const headers = ['Idée', 'Langue', 'Style', 'Format', 'Images', 'Musique', 'Priorité']
    const mapping = resolveMapping(headers, undefined, { schema })
    expect(mapping.fields.map((f) => `${f.field}←${f.column}`)).toEqual([
      'idea←Idée',
      'language←Langue',
      'preset←Format',
      'images←Images',
      'music←Musique'
    ])
    expect(mapping.unmappedColumns).toEqual(['Style'])
    const result = mapRow(
      { rowNumber: 2, values: { Idée: 'Les chats', Langue: 'fr', Style: 'drôle', Format: 'short', Images: '6', Musique: 'non', Priorité: '1' } },
      mapping,
      schema
    )
    expect(result).toEqual({
      ok: true,
      rowNumber: 2,
      input: { idea: 'Les chats', language: 'fr', preset: 'short', images: 6, music: false },
      priority: 1
    })
  })

  it('can feed the main text into another field name', () => {
    const mapping = resolveMapping(['Sujet'], undefined, { mainField: 'prompt' })
    expect(mapping.fields).toEqual([{ field: 'prompt', column: 'Sujet', auto: true }])
  })

  it('refuses a mapping to a column that does not exist, listing the columns', () => {
    expect(() => resolveMapping(['idea', 'lang'], { language: 'Language' })).toThrow(
      new MappingError('mapping for "language": column "Language" not found; available columns: "idea", "lang"')
    )
  })

  it('refuses a sheet without any main text column', () => {
    expect(() => resolveMapping(['foo', 'bar'])).toThrow(/no column for "idea": name a column "idea", "idée", .* available columns: "foo", "bar"/)
  })
})

describe('mapRow', () => {
  const mapping = resolveMapping(['Idée', 'Langue', 'Voix', 'Durée', 'Sous-titres'], { subtitles: 'Sous-titres' }, { schema: videoInput })

  it('builds a validated input with trimmed cells, schema defaults and converted numbers/booleans', () => {
    const result = mapRow(row(2, { Idée: '  Les chats  ', Langue: 'fr', Voix: '', Durée: '120', 'Sous-titres': 'non' }), mapping, videoInput)
    expect(result).toEqual({ ok: true, rowNumber: 2, input: { idea: 'Les chats', language: 'fr', duration: 120, subtitles: false } })
    const defaults = mapRow(row(3, { Idée: 'Des chiens', Langue: '', Voix: 'alloy', Durée: '', 'Sous-titres': '' }), mapping, videoInput)
    expect(defaults).toEqual({ ok: true, rowNumber: 3, input: { idea: 'Des chiens', language: 'en', voice: 'alloy', duration: 60, subtitles: true } })
  })

  it('reads French number formats when the schema wants a number', () => {
    const schema = z.object({ idea: z.string(), speed: z.number(), budget: z.number() })
    const map = resolveMapping(['idea', 'speed', 'budget'], { speed: 'speed', budget: 'budget' })
    expect(mapRow(row(2, { idea: 'x', speed: '1,5', budget: '1\u00a0000' }), map, schema)).toEqual({
      ok: true,
      rowNumber: 2,
      input: { idea: 'x', speed: 1.5, budget: 1000 }
    })
  })

  it('rejects an empty main text, naming the row and the column', () => {
    expect(mapRow(row(7, { Idée: '   ', Langue: 'fr' }), mapping, videoInput)).toEqual({
      ok: false,
      rowNumber: 7,
      reason: 'row 7: column "Idée" is empty'
    })
  })

  it('explains schema failures by column, with the value found', () => {
    const result = mapRow(row(9, { Idée: 'ok', Langue: 'it', Durée: 'deux minutes' }), mapping, videoInput)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.reason).toMatch(/^row 9: /)
    expect(result.reason).toContain('column "Idée" (idea): must be at least 3 characters (got "ok")')
    expect(result.reason).toMatch(/column "Langue" \(language\): .*"fr".*\(got "it"\)/)
    expect(result.reason).toMatch(/column "Durée" \(duration\): .*\(got "deux minutes"\)/)
  })

  it('says when a required field has no column at all', () => {
    const schema = z.object({ idea: z.string(), voice: z.string() })
    const result = mapRow(row(4, { idea: 'hello' }), resolveMapping(['idea']), schema)
    expect(result).toEqual({ ok: false, rowNumber: 4, reason: 'row 4: field "voice" is required but no column is mapped to it' })
  })

  it('names an empty required cell', () => {
    const schema = z.object({ idea: z.string(), voice: z.string() })
    const result = mapRow(row(5, { idea: 'hello', voice: '' }), resolveMapping(['idea', 'voice']), schema)
    expect(result).toEqual({ ok: false, rowNumber: 5, reason: 'row 5: column "voice" is empty (voice is required)' })
  })

  it('never throws, even when the schema does', () => {
    const exploding = z.object({ idea: z.string() }).refine(() => {
      throw new Error('kaboom')
    })
    expect(mapRow(row(6, { idea: 'x' }), resolveMapping(['idea']), exploding)).toEqual({
      ok: false,
      rowNumber: 6,
      reason: 'row 6: could not be validated: kaboom'
    })
  })

  it('maps a whole CSV source, keeping good rows and reasons for bad ones', async () => {
    const { dir, cleanup } = await makeTempDir()
    try {
      const path = await writeText(dir, 'batch.csv', 'Sujet;Langue\nLes chats;fr\n;fr\n\nLes chiens;xx\nLes oiseaux;de\n', 'win1252')
      const source = await openRowSource(path)
      const results = []
      for await (const result of mapRows(source.rows, resolveMapping(source.headers), videoInput)) results.push(result)
      expect(results.map((r) => (r.ok ? `ok ${r.rowNumber}` : r.reason))).toEqual([
        'ok 2',
        'row 3: column "Sujet" is empty',
        expect.stringMatching(/^row 5: column "Langue" \(language\): .*\(got "xx"\)$/),
        'ok 6'
      ])
    } finally {
      await cleanup()
    }
  })
})
