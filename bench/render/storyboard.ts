/**
 * Storyboard render benchmark, in one run on the same inputs and the same ffmpeg:
 *  - a full render of a 6-scene, 60 s, 1080×1920 storyboard (narration cached, as after a draft)
 *    against the single ffmpeg command a person would type for the same video;
 *  - a re-render after one narration edit, against that full render;
 *  - a one-scene draft preview (of an edited scene, and of an unchanged one);
 *  - the motion filters: a pan as a moving crop against zoompan on a 1.5× picture, and a zoom drawn
 *    every other frame against one drawn on every frame.
 *
 *   node --import tsx bench/render/storyboard.ts [--seconds 60] [--ffmpeg-concurrency N] [--keep]
 *
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { fmt, runFfmpegArgs, time as timed } from './measure'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import type { Cue } from '../../src/main/engine/render/cues'
import { probe, toShellCommand } from '../../src/main/engine/render/ffmpeg'
import { fontsDir } from '../../src/main/engine/render/fonts'
import { DEFAULT_SUBTITLE_STYLE, toAss } from '../../src/main/engine/render/subtitles'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { defaultResourceLimits } from '../../src/main/engine/pool/pool'
import { zoomInterval } from '../../src/main/engine/storyboards/segment-graph'

const { values } = parseArgs({
  options: { 'ffmpeg-concurrency': { type: 'string' }, seconds: { type: 'string', default: '60' }, keep: { type: 'boolean', default: false } }
})
const W = 1080
const H = 1920
const FPS = 30
/** Six scenes share the video's length (60 s: the figure; shorter for a quick run). */
const SCENE_SEC = Math.max(2, Math.round(Number(values.seconds) / 6))
const MOTIONS = ['zoom-in', 'zoom-out', 'pan-right', 'pan-left'] as const
const NARRATIONS = [
  'Bees talk by dancing. When a worker finds a field of flowers, she flies home to tell the others.',
  'Inside the hive she runs a figure of eight, waggling her body along the straight part of the loop.',
  'The angle of that run points at the flowers, measured from the direction of the sun outside.',
  'How long she waggles tells the distance: the longer the dance, the further the others must fly.',
  'Her sisters follow her steps in the dark, smell the pollen on her, and set off on their own.',
  'Thousands of bees, no leader, and yet the whole colony knows where to find its next meal.'
]

const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-bench-storyboard-'))
const binaries = await resolveBinaries()
const ffmpeg = binaries.ffmpeg.path
const limits = defaultResourceLimits()
const ffmpegLimit = values['ffmpeg-concurrency'] ? Number(values['ffmpeg-concurrency']) : limits.ffmpeg!.concurrency
console.log(`ffmpeg ${binaries.ffmpeg.version} (${binaries.ffmpeg.source}); ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(`storyboard: 6 scenes × ${SCENE_SEC} s, ${W}×${H} @ ${FPS} fps, libass captions, x264 veryfast crf 20; ffmpeg limit ${ffmpegLimit}`)

const studio = openStudio({ dataDir: path.join(dir, 'data'), concurrency: 2 })
studio.pool.limiter.setLimits({ ...limits, ffmpeg: { concurrency: ffmpegLimit, minIntervalMs: 0 } })
studio.startWork()
try {
  const project = studio.projects.create('Bench')
  const images = []
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, `image-${i}.png`)
    run(['-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=1,hue=h=${i * 55}`, '-frames:v', '1', file])
    images.push(await studio.projects.importAssetFile(project.id, `image-${i}.png`, file))
  }
  const created = await studio.storyboards.create({ projectId: project.id, from: { kind: 'assets', assetIds: images.map((a) => a.id) }, settings: { format: '9:16' } })
  for (const [i, scene] of created.scenes.entries()) {
    await studio.storyboards.edit(created.id, {
      op: 'updateScene',
      sceneId: scene.id,
      patch: { narration: NARRATIONS[i]!, duration: { mode: 'fixed', seconds: SCENE_SEC }, motion: MOTIONS[i % 4] }
    })
  }

  const draft = await timed(() => render(studio, created.id, true))
  console.log(`\ndraft of the whole storyboard (cold: voices, then half-size segments): ${fmt(draft)}`)
  const full = await timed(() => render(studio, created.id, false))
  const fullJob = studio.queue.get(full.value)!
  const video = fullJob.steps.find((s) => s.name === 'assemble')!.files.video!

  // The same video typed by hand: our pictures and voices, our captions as one ASS, one command.
  const voices = created.scenes.map((s) => (fullJob.steps.find((st) => st.name === `voice:${s.id}`)!.output as { paths: { voice: string } }).paths.voice)
  const cues: Cue[] = []
  created.scenes.forEach((s, i) => {
    for (const c of (fullJob.steps.find((st) => st.name === `segment:${s.id}`)!.output as unknown as { cues: Cue[] }).cues) cues.push({ ...c, start: c.start + i * SCENE_SEC, end: c.end + i * SCENE_SEC })
  })
  const assPath = path.join(dir, 'hand.ass')
  writeFileSync(assPath, toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: W, height: H, karaoke: false, fontName: 'DejaVu Sans' }))
  const handArgs = handTyped(images.map((a) => a.path), voices, assPath, path.join(dir, 'hand.mp4'))
  const hand = await timed(() => runAsync(handArgs))
  console.log('\nhand-typed command:\n' + toShellCommand('ffmpeg', handArgs).slice(0, 1_500) + ' …\n')

  // One narration edit, then a full render again.
  await studio.storyboards.edit(created.id, { op: 'updateScene', sceneId: created.scenes[2]!.id, patch: { narration: 'The angle of the run points at the flowers, with the sun as the compass.' } })
  const edited = await timed(() => render(studio, created.id, false))
  // One-scene draft previews: of a scene just edited (new voice), and of an unchanged one.
  await studio.storyboards.edit(created.id, { op: 'updateScene', sceneId: created.scenes[4]!.id, patch: { narration: 'Her sisters follow her in the dark and fly off on their own.' } })
  const previewEdited = await timed(() => render(studio, created.id, true, created.scenes[4]!.id))
  const previewSame = await timed(() => render(studio, created.id, true, created.scenes[0]!.id))

  const oursInfo = await probe(video, { ffprobePath: binaries.ffprobe.path })
  const handInfo = await probe(path.join(dir, 'hand.mp4'), { ffprobePath: binaries.ffprobe.path })
  console.log(`output durations: storyboard ${oursInfo.durationSec.toFixed(2)} s, hand-typed ${handInfo.durationSec.toFixed(2)} s`)
  console.log(`full render (voices cached)       ${fmt(full)}`)
  console.log(`hand-typed single command          ${fmt(hand)}`)
  console.log(`  ratio full / hand-typed (goal ≤ 0.70): wall ${(full.ms / hand.ms).toFixed(3)}, CPU ${(full.cpuSec / hand.cpuSec).toFixed(3)}`)
  console.log(`re-render after one narration edit ${fmt(edited)}`)
  console.log(`  ratio edit / full (goal ≤ 0.25):       wall ${(edited.ms / full.ms).toFixed(3)}, CPU ${(edited.cpuSec / full.cpuSec).toFixed(3)}`)
  console.log(`one-scene draft preview, edited scene (goal ≤ 2 s):   ${fmt(previewEdited)}`)
  console.log(`one-scene draft preview, unchanged scene:             ${fmt(previewSame)}`)

  // The motion filters alone, on one 10 s scene: CPU is what to trust on a shared machine.
  const pic = images[0]!.path
  const frames = SCENE_SEC * FPS
  const encode = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-frames:v', String(frames), '-f', 'null', '-']
  const crop = await timed(() =>
    runAsync(['-hide_banner', '-nostdin', '-y', '-i', pic, '-filter_complex', `[0:v]scale=1242:2208,format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,crop=${W}:${H}:x='(iw-${W})*min(1,n/${frames - 1})':y='(ih-${H})/2'[v]`, '-map', '[v]', ...encode])
  )
  const zoompan = await timed(() =>
    runAsync(['-hide_banner', '-nostdin', '-y', '-i', pic, '-filter_complex', `[0:v]scale=1620:2880,format=yuv420p,zoompan=z='1.15':x='(iw-iw/zoom)*on/${frames - 1}':y='(ih-ih/zoom)/2':d=${frames}:s=${W}x${H}:fps=${FPS}[v]`, '-map', '[v]', ...encode])
  )
  console.log(`\nmotion, one ${SCENE_SEC} s pan: moving crop ${fmt(crop)}; zoompan on a 1.5× picture ${fmt(zoompan)}; crop / zoompan CPU ${(crop.cpuSec / zoompan.cpuSec).toFixed(3)}`)
  // A zoom drawn on every frame (as the hand-typed command does) against the storyboard's, drawn
  // every other frame when each step stays within a pixel (segment-graph's zoomInterval).
  const zoomIn = `[0:v]scale=1620:2880,format=yuv420p,zoompan=z='1+0.150*`
  const every = await timed(() => runAsync(['-hide_banner', '-nostdin', '-y', '-i', pic, '-filter_complex', `${zoomIn}(on/${frames - 1})':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2':d=${frames}:s=${W}x${H}:fps=${FPS}[v]`, '-map', '[v]', ...encode]))
  const k = zoomInterval(H, frames)
  const drawn = await timed(() =>
    runAsync(['-hide_banner', '-nostdin', '-y', '-i', pic, '-filter_complex', `${zoomIn}((${k}*on)/${frames - 1})':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2':d=${Math.ceil(frames / k) + 1}:s=${W}x${H}:fps=${FPS}/${k},fps=${FPS}[v]`, '-map', '[v]', ...encode])
  )
  console.log(`motion, one ${SCENE_SEC} s zoom: drawn on every frame ${fmt(every)}; every ${k} frames ${fmt(drawn)}; CPU ratio ${(drawn.cpuSec / every.cpuSec).toFixed(3)}`)
} finally {
  await studio.close(1_000)
  if (values.keep) console.log(`files kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}

async function render(s: Studio, id: string, draft: boolean, sceneId?: string): Promise<string> {
  const { job } = await s.storyboards.render({ id, draft, ...(sceneId ? { sceneId } : {}) })
  // Woken by the job's own events (polling every 20 ms cost the render ~1 s of CPU in this process).
  let wake = () => {}
  const unsubscribe = s.events.subscribe((e) => {
    if (e.type === 'job.changed' && e.job.id === job.id) wake()
  })
  try {
    for (;;) {
      const j = s.queue.get(job.id)!
      if (j.status === 'completed') return job.id
      if (j.status === 'failed' || j.status === 'cancelled') throw new Error(`render ${j.status}: ${j.error}`)
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 1_000)
      })
    }
  } finally {
    unsubscribe()
  }
}

function handTyped(pictures: string[], voices: string[], ass: string, output: string): string[] {
  const per = SCENE_SEC * FPS
  const last = per - 1
  const moves = [
    `z='1+0.15*on/${last}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2'`,
    `z='1.15-0.15*on/${last}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2'`,
    `z='1.15':x='(iw-iw/zoom)*on/${last}':y='(ih-ih/zoom)/2'`,
    `z='1.15':x='(iw-iw/zoom)*(1-on/${last})':y='(ih-ih/zoom)/2'`
  ]
  const n = pictures.length
  const graph =
    pictures.map((_, i) => `[${i}:v]scale=1620:2880:force_original_aspect_ratio=increase,crop=1620:2880,format=yuv420p,zoompan=${moves[i % 4]}:d=${per}:s=${W}x${H}:fps=${FPS},setsar=1[v${i}];`).join('') +
    pictures.map((_, i) => `[v${i}]`).join('') +
    `concat=n=${n}:v=1:a=0,subtitles=${ass}:fontsdir=${fontsDir()}[v];` +
    voices.map((_, i) => `[${n + i}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_len=${SCENE_SEC * 48_000}[a${i}];`).join('') +
    voices.map((_, i) => `[a${i}]`).join('') +
    `concat=n=${n}:v=0:a=1[a]`
  return [
    '-hide_banner', '-nostdin', '-y',
    ...pictures.flatMap((p) => ['-i', p]),
    ...voices.flatMap((v) => ['-i', v]),
    '-filter_complex', graph,
    '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(FPS),
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-movflags', '+faststart', '-t', String(n * SCENE_SEC),
    output
  ]
}

function run(args: string[]): void {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args])
  if (r.status !== 0) throw new Error(r.stderr.toString())
}

function runAsync(args: string[]): Promise<void> {
  return runFfmpegArgs(ffmpeg, args)
}
