/**
 * The voices each offline engine has on this machine, as `{id, name, language}`: `id` is what the
 * engine takes to pick the voice (Settings stores it as the offline voice).
 *  - espeak-ng / espeak: `--voices` (MBROLA voices left out: they need the separate mbrola program).
 *  - macOS: `say -v ?`.  Windows: SAPI's installed voices through PowerShell.
 *  - RHVoice: one folder per voice with a `voice.info` (name=, language=).
 *  - Festival: /usr/share/festival/voices/<language>/<voice>/.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SayVoice } from './speech-engines'

export interface SystemVoice {
  id: string
  name: string
  /** ISO 639-1 code, with a region when the engine says one ("en", "fr-fr", "en-us"). */
  language: string
}

/** Parse `espeak-ng --voices`: "Pty Language Age/Gender VoiceName File Other Languages". */
export function parseEspeakVoices(output: string): SystemVoice[] {
  const voices: SystemVoice[] = []
  const seen = new Set<string>()
  for (const line of output.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    const [, language, , name, file] = cols
    if (!language || !name || !file || file.startsWith('mb/')) continue
    if (seen.has(language)) continue
    seen.add(language)
    voices.push({ id: language, name: name.replace(/_/g, ' '), language: language.toLowerCase() })
  }
  return voices
}

export function sayVoices(list: readonly SayVoice[]): SystemVoice[] {
  return list.map((v) => ({ id: v.name, name: v.name, language: v.locale.replace('_', '-').toLowerCase() }))
}

/** PowerShell: one "name<TAB>culture" line per enabled SAPI voice. */
export const SAPI_VOICES_SCRIPT = `
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Speech
$synth = New-Object System.Speech.Synthesis.SpeechSynthesizer
try {
  $synth.GetInstalledVoices() | Where-Object { $_.Enabled } | ForEach-Object { "$($_.VoiceInfo.Name)\`t$($_.VoiceInfo.Culture.Name)" }
} finally {
  $synth.Dispose()
}
`

export function parseSapiVoices(output: string): SystemVoice[] {
  return output
    .split(/\r?\n/)
    .map((line) => line.split('\t'))
    .filter((cols): cols is [string, string] => cols.length === 2 && Boolean(cols[0]?.trim()))
    .map(([name, culture]) => ({ id: name.trim(), name: name.trim(), language: culture.trim().toLowerCase() }))
}

/** Language names RHVoice and Festival use, as codes. */
const LANGUAGE_CODES: Record<string, string> = {
  english: 'en',
  russian: 'ru',
  ukrainian: 'uk',
  georgian: 'ka',
  kyrgyz: 'ky',
  tatar: 'tt',
  esperanto: 'eo',
  polish: 'pl',
  macedonian: 'mk',
  czech: 'cs',
  slovak: 'sk',
  albanian: 'sq',
  uzbek: 'uz',
  vietnamese: 'vi',
  'brazilian-portuguese': 'pt-br',
  portuguese: 'pt',
  spanish: 'es',
  italian: 'it',
  welsh: 'cy',
  finnish: 'fi',
  hindi: 'hi',
  marathi: 'mr',
  telugu: 'te',
  french: 'fr',
  german: 'de'
}

const codeOf = (language: string): string => LANGUAGE_CODES[language.trim().toLowerCase()] ?? language.trim().toLowerCase()

export const RHVOICE_VOICE_DIRS = ['/usr/share/RHVoice/voices', '/usr/local/share/RHVoice/voices']
export const FESTIVAL_VOICE_DIRS = ['/usr/share/festival/voices', '/usr/local/share/festival/voices']

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
}

/** RHVoice voices: each folder's voice.info names the voice and its language. */
export async function rhvoiceVoices(dirs: readonly string[] = RHVOICE_VOICE_DIRS): Promise<SystemVoice[]> {
  const voices: SystemVoice[] = []
  for (const dir of dirs) {
    for (const folder of await subdirs(dir)) {
      const info = await readFile(join(dir, folder, 'voice.info'), 'utf8').catch(() => '')
      const field = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'mi').exec(info)?.[1]?.trim()
      const name = field('name') ?? folder
      const language = field('language')
      if (!language || !/^[\w-]{1,60}$/.test(name)) continue
      voices.push({ id: name, name, language: codeOf(language) })
    }
  }
  return voices
}

/**
 * Festival voices: <language>/<voice> folders. Only names Festival's `(voice_<name>)` can take
 * (letters, digits, underscores) are listed, since the name goes into a Scheme expression.
 */
export async function festivalVoices(dirs: readonly string[] = FESTIVAL_VOICE_DIRS): Promise<SystemVoice[]> {
  const voices: SystemVoice[] = []
  for (const dir of dirs) {
    for (const language of await subdirs(dir)) {
      for (const voice of await subdirs(join(dir, language))) {
        if (/^[a-z0-9_]{1,80}$/i.test(voice)) voices.push({ id: voice, name: voice.replace(/_/g, ' '), language: codeOf(language) })
      }
    }
  }
  return voices
}

/** The voice to use for a language: the one asked for when it speaks it, else the first that does. */
export function voiceFor(voices: readonly SystemVoice[], language: string, wanted?: string): SystemVoice | undefined {
  const lang = language.toLowerCase().split(/[-_]/)[0]!
  const speaks = (v: SystemVoice) => v.language.split(/[-_]/)[0] === lang
  return voices.find((v) => v.id === wanted && speaks(v)) ?? voices.find(speaks)
}
