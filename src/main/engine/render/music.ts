import path from 'node:path'
import { permanent } from '../errors'
import { type BinarySettings, resolveBinaries } from './binaries'
import { probe, runFfmpeg } from './ffmpeg'
import { secs } from './filtergraph'

/**
 * Offline background music: a soft chord pad synthesized by ffmpeg's aevalsrc, so a video can
 * have music with no provider, no network and no licence question. Each chord swells in and out
 * (sin envelope), which also hides the phase jump when the oscillators change pitch.
 */

type Chord = readonly number[] // MIDI notes, lowest first

interface MoodRecipe {
  chords: readonly Chord[]
  /** Seconds per chord. */
  chordSec: number
  /** Swells per chord: 1 is a slow pad, 2 a gentle pulse. */
  pulses: number
  /** Low-pass cutoff: darker moods sound softer. */
  cutoffHz: number
  keywords: readonly string[]
}

export const MOODS = {
  calm: {
    chords: [[48, 55, 59, 64], [45, 52, 55, 60], [41, 48, 52, 57], [43, 50, 55, 59]], // Cmaj7 Am7 Fmaj7 G
    chordSec: 4,
    pulses: 1,
    cutoffHz: 2200,
    keywords: ['calm', 'calme', 'relax', 'ambient', 'doux', 'soft', 'peace', 'zen', 'chill', 'serein']
  },
  happy: {
    chords: [[48, 55, 60, 64], [43, 55, 59, 62], [45, 57, 60, 64], [41, 53, 57, 60]], // C G Am F
    chordSec: 2,
    pulses: 2,
    cutoffHz: 3500,
    keywords: ['happy', 'joy', 'joyeu', 'upbeat', 'gai', 'fun', 'energ', 'positi', 'bright', 'motiv']
  },
  sad: {
    chords: [[45, 52, 57, 60], [41, 48, 53, 57], [48, 52, 55, 60], [43, 50, 55, 59]], // Am F C G
    chordSec: 4.5,
    pulses: 1,
    cutoffHz: 1800,
    keywords: ['sad', 'triste', 'melanc', 'emotion', 'emouv', 'nostalg', 'tender']
  },
  epic: {
    chords: [[38, 50, 53, 57], [34, 46, 50, 53], [41, 53, 57, 60], [36, 48, 52, 55]], // Dm Bb F C
    chordSec: 3,
    pulses: 2,
    cutoffHz: 3000,
    keywords: ['epic', 'epique', 'drama', 'cinemat', 'intense', 'power', 'puissant', 'hero']
  },
  mysterious: {
    chords: [[45, 52, 59, 60], [41, 48, 55, 59], [38, 50, 53, 57], [40, 52, 56, 59]], // Am(add9) Fmaj7 Dm E
    chordSec: 5,
    pulses: 1,
    cutoffHz: 1500,
    keywords: ['myster', 'dark', 'sombre', 'suspens', 'tension', 'horror', 'horreur', 'secret', 'enigm']
  }
} as const satisfies Record<string, MoodRecipe>

export type Mood = keyof typeof MOODS

/** Free-text mood ("Joyeux et énergique", "dark synthwave") → a recipe; calm when nothing matches. */
export function moodFor(text: string | undefined): Mood {
  const normalized = (text ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
  for (const [mood, recipe] of Object.entries(MOODS) as Array<[Mood, MoodRecipe]>) {
    if (recipe.keywords.some((k) => normalized.includes(k))) return mood
  }
  return 'calm'
}

function hz(midi: number): string {
  return (440 * 2 ** ((midi - 69) / 12)).toFixed(2)
}

/** Rendered at 22.05 kHz mono: the pad is low-passed anyway and this keeps aevalsrc 4× cheaper. */
const SYNTH_RATE = 22050

/**
 * The music as a lavfi source graph (usable as `-f lavfi -i <graph>`, including inside a render).
 * Exactly `durationSec` long, stereo 48 kHz, fades in and out.
 */
export function buildMusicGraph(options: { durationSec: number; mood?: string }): string {
  const recipe: MoodRecipe = MOODS[moodFor(options.mood)]
  const { chords, chordSec } = recipe
  const n = chords.length
  const voices = chords[0]!.length
  // ld(0) = chord index; each voice picks its pitch with nested if()s.
  const pitch = (v: number) =>
    chords
      .slice(0, -1)
      .reduceRight((rest, chord, c) => `if(eq(ld(0),${c}),${hz(chord[v]!)},${rest})`, hz(chords[n - 1]![v]!))
  const oscillators = Array.from({ length: voices }, (_, v) => {
    const level = v === 0 ? '0.9' : '0.6' // the root carries the bass
    return `${level}*sin(2*PI*t*${pitch(v)})`
  }).join('+')
  const swell = chordSec / recipe.pulses
  const expr = [
    `st(0,mod(floor(t/${chordSec}),${n}))`,
    `st(1,sin(PI*mod(t,${swell})/${swell}))`,
    `0.16*ld(1)*(${oscillators})`
  ].join(';')
  const d = Math.max(0.1, options.durationSec)
  const fadeIn = Math.min(2, d / 4)
  const fadeOut = Math.min(3, d / 3)
  return [
    `aevalsrc=exprs='${expr}':s=${SYNTH_RATE}:d=${secs(d)}`,
    `lowpass=f=${recipe.cutoffHz}`,
    'aecho=0.8:0.6:70|140:0.25|0.15',
    'aresample=48000',
    'aformat=sample_fmts=fltp:channel_layouts=stereo',
    `afade=t=in:st=0:d=${secs(fadeIn)}`,
    `afade=t=out:st=${secs(d - fadeOut)}:d=${secs(fadeOut)}`,
    `atrim=end=${secs(d)}`
  ].join(',')
}

const AUDIO_CODECS: Record<string, readonly string[]> = {
  '.wav': ['-c:a', 'pcm_s16le'],
  '.m4a': ['-c:a', 'aac', '-b:a', '192k'],
  '.aac': ['-c:a', 'aac', '-b:a', '192k'],
  '.mp3': ['-c:a', 'libmp3lame', '-b:a', '192k'],
  '.flac': ['-c:a', 'flac']
}

export interface SynthesizeMusicRequest {
  durationSec: number
  mood?: string
  /** .wav, .m4a, .aac, .mp3 or .flac */
  output: string
}

export interface SynthesizeMusicOptions {
  signal?: AbortSignal
  onProgress?: (percent: number) => void
  settings?: BinarySettings
}

export async function synthesizeMusic(
  request: SynthesizeMusicRequest,
  options: SynthesizeMusicOptions = {}
): Promise<{ path: string; durationSec: number; mood: Mood }> {
  if (!(request.durationSec > 0) || request.durationSec > 3 * 3600) {
    throw permanent(`music duration must be between 0 and 3 h, got ${request.durationSec}`)
  }
  const codec = AUDIO_CODECS[path.extname(request.output).toLowerCase()]
  if (!codec) throw permanent(`unsupported music format: ${request.output} (use ${Object.keys(AUDIO_CODECS).join(', ')})`)
  const binaries = await resolveBinaries(options.settings)
  await runFfmpeg(
    {
      inputs: [{ path: buildMusicGraph(request), options: ['-f', 'lavfi'] }],
      outputOptions: ['-hide_banner', '-nostdin', ...codec],
      output: request.output
    },
    {
      ffmpegPath: binaries.ffmpeg.path,
      expectedDurationSec: request.durationSec,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {})
    }
  )
  return { path: request.output, durationSec: request.durationSec, mood: moodFor(request.mood) }
}

/** Duration of an audio file in seconds (the narration sets the video length). */
export async function audioDuration(file: string, settings?: BinarySettings): Promise<number> {
  const info = await probe(file, settings ? { settings } : {})
  const audio = info.streams.find((s) => s.type === 'audio')
  if (!audio) throw permanent(`no audio stream in ${file}`)
  const duration = audio.durationSec ?? info.durationSec
  if (!(duration > 0)) throw permanent(`cannot tell the duration of ${file}`)
  return duration
}
