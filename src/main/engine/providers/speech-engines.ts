/**
 * How to ask each operating system's own speech engine for a WAV file. Pure functions that build
 * command lines, so they can be checked on any OS; system-speech.ts runs them.
 *  - Linux: RHVoice (`RHVoice-test`) or Festival (`text2wave`) when installed with a voice for the
 *    language — both sound more natural than espeak — else espeak-ng, or the older espeak.
 *  - macOS: `say`, writing 16-bit PCM WAVE directly (no AIFF round trip needed).
 *  - Windows: SAPI through PowerShell's System.Speech (SetOutputToWaveFile).
 */
import type { Language } from './types'

export type SystemEngineName = 'rhvoice' | 'festival' | 'espeak-ng' | 'espeak' | 'say' | 'sapi'

export interface EngineCommand {
  command: string
  args: string[]
  /** Text for stdin (engines read it there: no argument-length limit, no "-" parsing surprises). */
  input?: string
  /** Extra environment variables. */
  env?: Record<string, string>
}

/**
 * espeak voice for a request. A `voice` is used when it is an espeak voice for the same language
 * ("fr-fr", "en-us+f3") or a bare variant ("+f3"); anything else (an OpenAI voice name like
 * "alloy") is ignored rather than failing the job.
 */
export function espeakVoice(language: Language, voice?: string): string {
  const base = language === 'en' ? 'en-us' : language
  if (!voice) return base
  if (/^\+[a-z0-9]+$/i.test(voice)) return `${base}${voice}`
  const lang = language.toLowerCase()
  if (/^[a-z]{2,3}([-_][a-z0-9]+)*(\+[a-z0-9]+)?$/i.test(voice) && voice.toLowerCase().startsWith(lang)) return voice
  return base
}

export function espeakCommand(executable: string, text: string, language: Language, outPath: string, voice?: string): EngineCommand {
  // -b 1: input is UTF-8. --stdin: read the whole text at once (not line by line).
  return { command: executable, args: ['-v', espeakVoice(language, voice), '-b', '1', '-w', outPath, '--stdin'], input: text }
}

export interface SayVoice {
  name: string
  /** "en_US", "fr_FR"... */
  locale: string
}

/** Parse `say -v ?` ("Thomas              fr_FR    # Bonjour…"). Voice names may contain spaces. */
export function parseSayVoices(output: string): SayVoice[] {
  const voices: SayVoice[] = []
  for (const line of output.split('\n')) {
    const match = /^(.+?)\s+([a-z]{2,3}[_-][A-Za-z0-9]+)\s+#/.exec(line.trim())
    if (match?.[1] && match[2]) voices.push({ name: match[1].trim(), locale: match[2] })
  }
  return voices
}

/** The requested voice if installed, else the first voice for the language, else the system default (undefined). */
export function pickSayVoice(voices: readonly SayVoice[], language: Language, voice?: string): string | undefined {
  if (voice && voices.some((v) => v.name === voice)) return voice
  return voices.find((v) => v.locale.toLowerCase().startsWith(`${language.toLowerCase()}_`) || v.locale.toLowerCase().startsWith(`${language.toLowerCase()}-`))?.name
}

export function sayCommand(executable: string, text: string, outPath: string, voiceName?: string): EngineCommand {
  return {
    command: executable,
    args: [...(voiceName ? ['-v', voiceName] : []), '-o', outPath, '--file-format=WAVE', '--data-format=LEI16@22050', '-f', '-'],
    input: text
  }
}

/**
 * PowerShell script for SAPI. Paths, language and voice come in through environment variables
 * and the text through a UTF-8 file, so nothing user-written is ever parsed as PowerShell.
 */
export const SAPI_SCRIPT = `
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Speech
$synth = New-Object System.Speech.Synthesis.SpeechSynthesizer
try {
  $installed = @($synth.GetInstalledVoices() | Where-Object { $_.Enabled } | ForEach-Object { $_.VoiceInfo })
  $pick = $null
  if ($env:STUDIO_TTS_VOICE) { $pick = $installed | Where-Object { $_.Name -eq $env:STUDIO_TTS_VOICE } | Select-Object -First 1 }
  if (-not $pick) { $pick = $installed | Where-Object { $_.Culture.TwoLetterISOLanguageName -eq $env:STUDIO_TTS_LANG } | Select-Object -First 1 }
  if ($pick) { $synth.SelectVoice($pick.Name) }
  $format = New-Object System.Speech.AudioFormat.SpeechAudioFormatInfo(22050, [System.Speech.AudioFormat.AudioBitsPerSample]::Sixteen, [System.Speech.AudioFormat.AudioChannel]::Mono)
  $synth.SetOutputToWaveFile($env:STUDIO_TTS_OUT, $format)
  $synth.Speak([System.IO.File]::ReadAllText($env:STUDIO_TTS_TEXT, [System.Text.Encoding]::UTF8))
  $synth.SetOutputToNull()
} finally {
  $synth.Dispose()
}
`

export function sapiCommand(executable: string, textFile: string, language: Language, outPath: string, voice?: string): EngineCommand {
  return {
    command: executable,
    // -EncodedCommand takes UTF-16LE base64: no quoting rules to get wrong.
    args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(SAPI_SCRIPT, 'utf16le').toString('base64')],
    env: { STUDIO_TTS_TEXT: textFile, STUDIO_TTS_OUT: outPath, STUDIO_TTS_LANG: language.slice(0, 2).toLowerCase(), STUDIO_TTS_VOICE: voice ?? '' }
  }
}

/** RHVoice's command-line synthesizer: text on stdin, the voice by name (`-p`), a WAV out (`-o`). */
export function rhvoiceCommand(executable: string, text: string, outPath: string, voice: string): EngineCommand {
  return { command: executable, args: ['-p', voice, '-o', outPath], input: text }
}

/**
 * Festival's text2wave: text on stdin, a RIFF WAV out. The voice is chosen by evaluating
 * `(voice_<name>)`; names come from the voice folders and are checked to be plain identifiers, so
 * nothing user-written reaches the Scheme interpreter.
 */
export function festivalCommand(executable: string, text: string, outPath: string, voice: string): EngineCommand {
  if (!/^[a-z0-9_]{1,80}$/i.test(voice)) throw new Error(`festival: not a voice name: ${JSON.stringify(voice)}`)
  return { command: executable, args: ['-otype', 'riff', '-o', outPath, '-eval', `(voice_${voice})`], input: text }
}
