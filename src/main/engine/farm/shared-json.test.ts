import { posix, win32 } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../shared/types'
import { fromStoredJson, localJsonText, localString, storedString, toStoredJson } from './shared-json'

const A = '/mnt/studio'
const B = '/srv/share'

describe('shared JSON paths', () => {
  it('stores paths inside the data folder relative to it, and reads them under the reader’s mount', () => {
    const output: JsonValue = { images: ['/mnt/studio/jobs/j1/images.w/1.png', '/mnt/studio/jobs/j1/images.w/2.png'], video: { path: '/mnt/studio/jobs/j1/render.w/out.mp4' }, n: 2, ok: true, none: null }
    const stored = toStoredJson(A, output)
    expect(stored).toEqual({ images: ['studio-data:jobs/j1/images.w/1.png', 'studio-data:jobs/j1/images.w/2.png'], video: { path: 'studio-data:jobs/j1/render.w/out.mp4' }, n: 2, ok: true, none: null })
    expect(fromStoredJson(B, stored)).toEqual({ images: ['/srv/share/jobs/j1/images.w/1.png', '/srv/share/jobs/j1/images.w/2.png'], video: { path: '/srv/share/jobs/j1/render.w/out.mp4' }, n: 2, ok: true, none: null })
    expect(fromStoredJson(A, stored)).toEqual(output)
  })

  it('leaves strings outside the folder, relative paths and ordinary text as they are', () => {
    for (const s of ['/mnt/studioX/a.png', '/mnt/other/a.png', '/etc/passwd', 'jobs/j1/a.png', 'A lighthouse at dusk', '', '/mnt/studio/../etc/passwd', 'https://example.com/a.png']) {
      expect(storedString(A, s)).toBe(s)
      expect(localString(B, storedString(A, s))).toBe(s)
    }
    expect(storedString(A, '/mnt/studio')).toBe('studio-data:')
    expect(localString(B, 'studio-data:')).toBe(B)
    expect(storedString('/mnt/studio/', '/mnt/studio/x//y.png')).toBe('studio-data:x/y.png')
  })

  it('keeps ordinary text that looks like a stored form whole (escaped, never read as a path)', () => {
    for (const s of ['studio-data:jobs/a.png', 'studio-text:hello', 'studio-text:studio-data:x', 'studio-data:../../etc/passwd']) {
      const stored = storedString(A, s)
      expect(stored).toBe(`studio-text:${s}`)
      expect(localString(B, stored)).toBe(s)
    }
  })

  it('refuses stored forms that escape the folder or name an absolute path, rather than following them', () => {
    for (const hostile of [
      'studio-data:../etc/passwd',
      'studio-data:jobs/../../etc/passwd',
      'studio-data:..',
      'studio-data:/etc/passwd',
      'studio-data://host/share',
      'studio-data:C:/Windows/win.ini',
      'studio-data:jobs\\..\\..\\x',
      'studio-data:jobs/./a',
      'studio-data:jobs//a'
    ]) {
      expect(localString(B, hostile)).toBe(hostile)
    }
  })

  it('maps Windows paths with the Windows path rules (drive letters, backslashes, case of the drive)', () => {
    const dir = 'S:\\studio'
    expect(storedString(dir, 'S:\\studio\\jobs\\j1\\a.png', win32)).toBe('studio-data:jobs/j1/a.png')
    expect(storedString(dir, 's:\\studio\\jobs\\a.png', win32)).toBe('studio-data:jobs/a.png')
    expect(storedString(dir, 'T:\\studio\\jobs\\a.png', win32)).toBe('T:\\studio\\jobs\\a.png')
    expect(localString('\\\\nas\\share', 'studio-data:jobs/j1/a.png', win32)).toBe('\\\\nas\\share\\jobs\\j1\\a.png')
    // Written on Windows, read on Linux, and back.
    expect(localString('/srv/share', storedString(dir, 'S:\\studio\\jobs\\a.png', win32), posix)).toBe('/srv/share/jobs/a.png')
    expect(localString(dir, storedString('/srv/share', '/srv/share/jobs/a.png', posix), win32)).toBe('S:\\studio\\jobs\\a.png')
  })

  it('round-trips any JSON value: stored under one mount, read under the other, its paths moved and nothing else changed', () => {
    const segment = fc.stringMatching(/^[a-z0-9 ._-]{1,8}$/).filter((s) => s !== '.' && s !== '..')
    const pathUnder = (dir: string) => fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => `${dir}/${p.join('/')}`)
    const leaf = fc.oneof(fc.string(), fc.constantFrom('studio-data:x', 'studio-text:y', '/mnt/studioX/a'), pathUnder(A), fc.integer(), fc.boolean(), fc.constant(null))
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value')), fc.dictionary(fc.string(), tie('value')))
    })).value as fc.Arbitrary<JsonValue>
    fc.assert(
      fc.property(json, (v) => {
        const back = fromStoredJson(B, toStoredJson(A, v))
        const expected = JSON.parse(JSON.stringify(v), (_k, x: unknown) => (typeof x === 'string' && x.startsWith(`${A}/`) ? `${B}${x.slice(A.length)}` : x))
        expect(back).toEqual(expected)
        expect(localJsonText(B, JSON.stringify(toStoredJson(A, v)))).toBe(JSON.stringify(expected))
      })
    )
  })

  it('keeps a "__proto__" key of parsed JSON as a key (never a prototype), its path mapped', () => {
    const value = JSON.parse('{"__proto__": {"file": "/mnt/studio/jobs/a.png"}}') as JsonValue
    const back = fromStoredJson(B, toStoredJson(A, value)) as Record<string, unknown>
    expect(Object.keys(back)).toEqual(['__proto__'])
    expect(JSON.stringify(back)).toBe('{"__proto__":{"file":"/srv/share/jobs/a.png"}}')
  })

  it('reads stored JSON text: text without stored forms untouched, text that is not JSON untouched', () => {
    expect(localJsonText(B, null)).toBeNull()
    const plain = '{"a": 1}'
    expect(localJsonText(B, plain)).toBe(plain)
    expect(localJsonText(B, 'studio-data:{')).toBe('studio-data:{')
    expect(localJsonText(B, '{"v":"studio-data:jobs/a.mp4"}')).toBe('{"v":"/srv/share/jobs/a.mp4"}')
  })
})
