import { describe, expect, it } from 'vitest'
import { resolveTarget } from './xlsx-archive'

describe('resolveTarget', () => {
  it('reads a target relative to the folder of the part naming it', () => {
    expect(resolveTarget('xl', 'worksheets/sheet1.xml')).toBe('xl/worksheets/sheet1.xml')
    expect(resolveTarget('xl', './sharedStrings.xml')).toBe('xl/sharedStrings.xml')
    expect(resolveTarget('xl/worksheets', '../drawings/drawing1.xml')).toBe('xl/drawings/drawing1.xml')
  })

  it('reads an absolute target from the root of the package', () => {
    expect(resolveTarget('xl', '/xl/worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml')
  })
})
