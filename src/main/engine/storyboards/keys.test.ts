import { describe, expect, it } from 'vitest'
import { canonicalJson, contentKey } from './keys'

describe('content keys', () => {
  it('do not depend on the order of object keys', () => {
    expect(contentKey('voice', { text: 'a', speed: 1 })).toBe(contentKey('voice', { speed: 1, text: 'a' }))
  })
  it('change with any input and with the kind', () => {
    const base = contentKey('voice', { text: 'a', speed: 1 })
    expect(contentKey('voice', { text: 'b', speed: 1 })).not.toBe(base)
    expect(contentKey('voice', { text: 'a', speed: 1.1 })).not.toBe(base)
    expect(contentKey('visual', { text: 'a', speed: 1 })).not.toBe(base)
  })
  it('treat an absent field like a missing one, and keep array order', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }))
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]))
  })
})
