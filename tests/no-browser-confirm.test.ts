import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))

describe('questions are asked in the app', () => {
  it("no window.confirm / alert / prompt left in the renderer (the app's ConfirmDialog asks instead)", () => {
    const offenders = walk('src/renderer/src').filter((f) => /\.(tsx?|js)$/.test(f) && /\bwindow\.(confirm|alert|prompt)\s*\(/.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })
})
