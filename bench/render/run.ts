/**
 * Render benchmark: our renderVideo against the single ffmpeg command a person would type for the
 * same video, on the same inputs and the same ffmpeg binary.
 *
 *   node --import tsx bench/render/run.ts [--seconds 60] [--images 6] [--reps 1] [--keep]
 *
 * A 1080×1920 short: Ken Burns over the images, a narration (espeak-ng French when installed, a
 * tone otherwise), subtitles burned in by libass, H.264 veryfast + AAC, faststart. renderVideo
 * runs first, then the hand-typed command; with --reps > 1 they alternate so drift hits both.
 * renderVideo's time includes everything it does (probing the narration, cue timing, writing
 * the ASS, fluent-ffmpeg's start-up, probing the result); binary resolution is done once before,
 * as in the app, and printed separately.
 *
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fmt, runFfmpegArgs, time, type Sample } from './measure'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { probe, toShellCommand } from '../../src/main/engine/render/ffmpeg'
import { emPerFontSize, fontsDir, resolveFont } from '../../src/main/engine/render/fonts'
import { audioDuration } from '../../src/main/engine/render/music'
import { DEFAULT_SUBTITLE_STYLE, buildCues, cueLayoutFor, toAss } from '../../src/main/engine/render/subtitles'
import { renderVideo } from '../../src/main/engine/render/video'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    images: { type: 'string', default: '6' },
    reps: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false }
  }
})
const TOTAL_SEC = Number(values.seconds)
const IMAGE_COUNT = Number(values.images)
const REPS = Number(values.reps)
const TAIL_SEC = 0.5
const NARRATION_SEC = TOTAL_SEC - TAIL_SEC
const W = 1080
const H = 1920
const FPS = 30

const PARAGRAPH =
  "Saviez-vous que les abeilles communiquent en dansant ? Quand une ouvrière trouve un champ de fleurs, elle revient à la ruche et exécute une danse en forme de huit. L'angle de la danse indique la direction du soleil, sa durée la distance à parcourir. Les autres abeilles la suivent, sentent le pollen et partent à leur tour. Été comme hiver, la colonie s'organise sans chef, des milliers d'individus qui coopèrent. "

const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-bench-render-'))
const binaries = await time(() => resolveBinaries())
const ffmpeg = binaries.value.ffmpeg.path

console.log(`ffmpeg ${binaries.value.ffmpeg.version} (${binaries.value.ffmpeg.source}) ${ffmpeg}`)
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`)
console.log(`binary resolution (once per process): ${binaries.ms.toFixed(0)} ms`)

const { images, narration, script } = await prepareInputs()
const assPath = await writeHandAss(script)

const ours: Sample[] = []
const hand: Sample[] = []
const handArgs = handTypedCommand(path.join(dir, 'hand.mp4'))
console.log('\nhand-typed command:\n' + toShellCommand('ffmpeg', handArgs) + '\n')

for (let rep = 0; rep < REPS; rep++) {
  const a = await time(() =>
    renderVideo({
      output: path.join(dir, 'ours.mp4'),
      preset: 'short',
      fps: FPS,
      images,
      narration,
      subtitles: { text: script },
      tailSec: TAIL_SEC
    })
  )
  ours.push(a)
  const b = await time(() => runFfmpeg(handArgs))
  hand.push(b)
  console.log(`rep ${rep + 1}: renderVideo ${fmt(a)}, hand-typed ${fmt(b)}`)
}

const oursInfo = await probe(path.join(dir, 'ours.mp4'), { ffprobePath: binaries.value.ffprobe.path })
const handInfo = await probe(path.join(dir, 'hand.mp4'), { ffprobePath: binaries.value.ffprobe.path })
const best = (xs: number[]) => Math.min(...xs)
const median = (xs: number[]) => {
  const sorted = [...xs].sort((p, q) => p - q)
  const mid = sorted.length / 2
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const wall = (xs: Sample[]) => xs.map((x) => x.ms / 1000)
const cpu = (xs: Sample[]) => xs.map((x) => x.cpuSec)
const line = (name: string, xs: Sample[]) =>
  `${name}: wall ${median(wall(xs)).toFixed(2)} s median / ${best(wall(xs)).toFixed(2)} s best  ` +
  `(${(TOTAL_SEC / best(wall(xs))).toFixed(2)}× realtime at best), CPU ${median(cpu(xs)).toFixed(1)} s`
console.log(`
video: ${TOTAL_SEC} s, ${W}×${H} @ ${FPS} fps, ${IMAGE_COUNT} images, libass subtitles, x264 veryfast, ${REPS} rep(s)
output durations: renderVideo ${oursInfo.durationSec.toFixed(2)} s, hand-typed ${handInfo.durationSec.toFixed(2)} s
${line('renderVideo', ours)}
${line('hand-typed ', hand)}
ratio renderVideo / hand-typed (target ≤ 1.10):
  wall, best  ${(best(wall(ours)) / best(wall(hand))).toFixed(3)}
  wall, median ${(median(wall(ours)) / median(wall(hand))).toFixed(3)}
  CPU, median  ${(median(cpu(ours)) / median(cpu(hand))).toFixed(3)}   (CPU time is what to trust when other work shares the cores)`)

if (values.keep) console.log(`\nfiles kept in ${dir}`)
else rmSync(dir, { recursive: true, force: true })

/**
 * Typed by hand the way one would at a shell: same inputs, same filters (zoompan per image,
 * concat, libass with our fonts, yuv420p), same encoder settings. The per-image block is written
 * once and repeated for each image with one of four moves.
 */
function handTypedCommand(output: string): string[] {
  const frames = Math.round(TOTAL_SEC * FPS)
  const per = Math.round(frames / IMAGE_COUNT)
  const last = per - 1
  // Zoom in, zoom out, pan right, pan left — the same four moves renderVideo alternates.
  const moves = [
    `z='1+0.15*on/${last}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2'`,
    `z='1.15-0.15*on/${last}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2'`,
    `z='1.15':x='(iw-iw/zoom)*on/${last}':y='(ih-ih/zoom)/2'`,
    `z='1.15':x='(iw-iw/zoom)*(1-on/${last})':y='(ih-ih/zoom)/2'`
  ]
  const kb = (i: number) =>
    `[${i}:v]scale=1620:2880:force_original_aspect_ratio=increase,crop=1620:2880,format=yuv420p,` +
    `zoompan=${moves[i % 4]}:d=${per}:s=${W}x${H}:fps=${FPS},setsar=1[v${i}];`
  const graph =
    images.map((_, i) => kb(i)).join('') +
    images.map((_, i) => `[v${i}]`).join('') +
    `concat=n=${IMAGE_COUNT}:v=1:a=0,subtitles=${assPath}:fontsdir=${fontsDir()}[v];` +
    `[${IMAGE_COUNT}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad[a]`
  return [
    '-hide_banner', '-nostdin', '-y',
    ...images.flatMap((img) => ['-i', img]),
    '-i', narration,
    '-filter_complex', graph,
    '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(FPS),
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-movflags', '+faststart', '-t', String(TOTAL_SEC),
    output
  ]
}

function runFfmpeg(args: string[]): Promise<void> {
  return runFfmpegArgs(ffmpeg, args)
}

async function prepareInputs(): Promise<{ images: string[]; narration: string; script: string }> {
  const make = (args: string[]) => {
    const r = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args])
    if (r.status !== 0) throw new Error(r.stderr.toString())
  }
  const images = Array.from({ length: IMAGE_COUNT }, (_, i) => {
    const file = path.join(dir, `image-${i}.png`)
    make(['-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=1,hue=h=${i * 55}`, '-frames:v', '1', file])
    return file
  })

  // Enough French text for the narration length, spoken by espeak-ng when it is installed.
  let script = PARAGRAPH
  const raw = path.join(dir, 'narration-raw.wav')
  const narration = path.join(dir, 'narration.wav')
  const espeak = spawnSync('espeak-ng', ['--version']).status === 0
  if (espeak) {
    for (;;) {
      const r = spawnSync('espeak-ng', ['-v', 'fr', '-s', '165', '-w', raw, script])
      if (r.status !== 0) throw new Error(r.stderr.toString())
      if ((await audioDuration(raw)) >= NARRATION_SEC || script.length > 20_000) break
      script += PARAGRAPH
    }
  } else {
    script = PARAGRAPH.repeat(3)
    make(['-f', 'lavfi', '-i', `sine=frequency=220:duration=${NARRATION_SEC}`, raw])
  }
  // Exactly NARRATION_SEC, so both renders are exactly TOTAL_SEC long.
  make(['-i', raw, '-af', 'apad', '-t', String(NARRATION_SEC), '-ar', '44100', narration])
  if (!existsSync(narration)) throw new Error('no narration')
  console.log(`narration: ${espeak ? 'espeak-ng (fr)' : 'sine tone'}, ${NARRATION_SEC} s; script ${script.length} chars`)
  return { images, narration, script: script.trim() }
}

/** The hand-typed command needs a subtitle file too; it gets the same cues renderVideo makes. */
async function writeHandAss(script: string): Promise<string> {
  const frame = { width: W, height: H }
  const font = (await resolveFont(DEFAULT_SUBTITLE_STYLE.fonts))!
  const layout = cueLayoutFor(DEFAULT_SUBTITLE_STYLE, frame, await emPerFontSize(font.file))
  const cues = buildCues({ text: script, durationSec: NARRATION_SEC }, layout)
  const file = path.join(dir, 'captions.ass')
  writeFileSync(file, toAss(cues, DEFAULT_SUBTITLE_STYLE, { ...frame, fontName: font.family }))
  console.log(`subtitles: ${cues.length} cues`)
  return file
}
