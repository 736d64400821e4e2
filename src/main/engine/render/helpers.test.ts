import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseFilterList, unpackedAsarPath } from './binaries'
import { captionArgs } from './captions-imagemagick'
import { parseStatsTime, tempSiblingPath, toShellCommand } from './ffmpeg'
import { escapeFilterValue, filterPath } from './filtergraph'
import { SHIPPED_FONTS, fontsDir, parseEmRatio } from './fonts'
import { escapeImageMagickText } from './imagemagick'
import { buildMusicGraph, moodFor } from './music'

describe('filter graph escaping', () => {
  it('escapes option-level then graph-level special characters', () => {
    expect(escapeFilterValue('/tmp/plain dir/a.ass')).toBe('/tmp/plain dir/a.ass')
    expect(escapeFilterValue("a'b")).toBe("a\\\\\\'b")
    expect(escapeFilterValue('a:b')).toBe('a\\\\:b')
    expect(escapeFilterValue('a,b;c[d]')).toBe('a\\,b\\;c\\[d\\]')
    expect(escapeFilterValue('a\\b')).toBe('a\\\\\\\\b')
  })

  it('uses forward slashes for Windows paths', () => {
    expect(filterPath('C:\\Users\\Zoé\\subs.ass', 'win32')).toBe('C\\\\:/Users/Zoé/subs.ass')
  })
})

describe('ffmpeg helpers', () => {
  it('reads time= from stats lines, including negative start times', () => {
    expect(parseStatsTime('frame=  42 fps=0.0 q=28.0 size= 256kB time=00:01:02.50 bitrate=...')).toBe(62.5)
    expect(parseStatsTime('size=N/A time=-00:00:00.02 bitrate=N/A')).toBe(0)
    expect(parseStatsTime('frame=1 time=N/A')).toBeUndefined()
  })

  it('names temp outputs as hidden siblings that keep the extension', () => {
    const temp = tempSiblingPath('/videos/my clip.mp4')
    expect(path.dirname(temp)).toBe('/videos')
    expect(path.basename(temp)).toMatch(/^\.my clip\.\d+-[0-9a-f]{8}\.partial\.mp4$/)
  })

  it('quotes a printable shell command', () => {
    expect(toShellCommand('ffmpeg', ['-i', 'a b.png', "-vf", "x='1'"])).toBe(`ffmpeg -i 'a b.png' -vf 'x='\\''1'\\'''`)
  })
})

describe('binary helpers', () => {
  it('parses filter lists of old (2-flag) and new (3-flag) builds', () => {
    const names = parseFilterList(
      'Filters:\n  T.. = Timeline support\n ... subtitles         V->V       Render text subtitles\n' +
        ' TSC overlay           VV->V      Overlay a video source\n' +
        ' T. zoompan  V->V  Apply Zoom & Pan effect.\n ..C sidechaincompress AA->A      Sidechain compressor.\n'
    )
    expect([...names].sort()).toEqual(['overlay', 'sidechaincompress', 'subtitles', 'zoompan'])
  })

  it('points bundled binaries out of app.asar into app.asar.unpacked', () => {
    expect(unpackedAsarPath('/opt/Studio/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64/ffmpeg')).toBe(
      '/opt/Studio/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg'
    )
    expect(unpackedAsarPath('C:\\Studio\\resources\\app.asar.unpacked\\ffmpeg.exe')).toBe(
      'C:\\Studio\\resources\\app.asar.unpacked\\ffmpeg.exe'
    )
    expect(unpackedAsarPath('/repo/node_modules/x/ffmpeg')).toBe('/repo/node_modules/x/ffmpeg')
  })
})

describe('fonts', () => {
  it('finds the shipped fonts in the repo resources', () => {
    const dir = fontsDir()
    expect(dir.endsWith(path.join('resources', 'fonts'))).toBe(true)
    for (const f of SHIPPED_FONTS) expect(readFileSync(path.join(dir, f.file)).length).toBeGreaterThan(10_000)
  })

  it('reads the em/height ratio libass uses for sizing', () => {
    const dejavu = parseEmRatio(readFileSync(path.join(fontsDir(), 'DejaVuSans-Bold.ttf')))
    expect(dejavu).toBeCloseTo(2048 / (1901 + 483), 3)
  })
})

describe('ImageMagick text', () => {
  it('escapes percent escapes, backslashes and a leading @', () => {
    expect(escapeImageMagickText('100% %w')).toBe('100%% %%w')
    expect(escapeImageMagickText('C:\\new\nline')).toBe('C:\\\\new\nline')
    expect(escapeImageMagickText('@etc/passwd')).toBe('\\@etc/passwd')
    expect(escapeImageMagickText('mail@example.com')).toBe('mail@example.com')
  })

  it('draws the stroke twice as wide under a fill-only copy, shrunk to the margins if needed', () => {
    const look = {
      font: { family: 'DejaVu Sans', file: '/f/DejaVuSans-Bold.ttf', shipped: true },
      pointSize: 42.95,
      strokeWidth: 2,
      fill: '#FFFFFF',
      stroke: '#000000',
      maxWidth: 960
    }
    const args = captionArgs('Bonjour', look, '/w/c.png')
    expect(args.join(' ')).toBe(
      '-background none -font /f/DejaVuSans-Bold.ttf -pointsize 42.95 -gravity center ' +
        '-fill #FFFFFF -stroke #000000 -strokewidth 4 label:Bonjour -stroke none label:Bonjour -composite ' +
        '-resize 960x> PNG32:/w/c.png'
    )
    expect(captionArgs('x', { ...look, strokeWidth: 0 }, '/w/c.png')).not.toContain('-composite')
  })
})

describe('music graph', () => {
  it('maps free-text moods, in French or English, accents or not', () => {
    expect(moodFor('Joyeux et énergique')).toBe('happy')
    expect(moodFor('mélancolique')).toBe('sad')
    expect(moodFor('EPIC trailer')).toBe('epic')
    expect(moodFor('ambiance mystérieuse')).toBe('mysterious')
    expect(moodFor('une recette de crêpes')).toBe('calm')
    expect(moodFor(undefined)).toBe('calm')
  })

  it('is a lavfi source of the exact duration with fades', () => {
    const graph = buildMusicGraph({ durationSec: 12.5, mood: 'calm' })
    expect(graph.startsWith("aevalsrc=exprs='")).toBe(true)
    expect(graph).toContain(':d=12.5,')
    expect(graph).toContain('afade=t=in:st=0:d=2')
    expect(graph).toContain('afade=t=out:st=9.5:d=3')
    expect(graph.endsWith('atrim=end=12.5')).toBe(true)
    // Commas only inside the quoted expression or between filters.
    const outside = graph.replace(/'[^']*'/g, '')
    expect(outside.split(',').every((f) => /^[a-z]+=/.test(f))).toBe(true)
  })

  it('differs by mood', () => {
    expect(buildMusicGraph({ durationSec: 5, mood: 'happy' })).not.toBe(buildMusicGraph({ durationSec: 5, mood: 'sad' }))
  })
})
