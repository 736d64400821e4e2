/**
 * Last-resort speech when the OS has no engine: mespeak, eSpeak compiled to JavaScript. It is an
 * optional dependency under the GPL, so it is never imported statically: we only resolve its path,
 * and load it inside a worker thread. The worker keeps its multi-megabyte, synchronous, global
 * state out of the main process (no frozen event loop while it speaks) and can be terminated
 * when the job is cancelled.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { StepError } from '../errors'
import type { Language } from './types'
import { formatMs } from '../../../shared/format-ms'

export const MESPEAK_PROVIDER_ID = 'mespeak'

export interface MespeakFiles {
  entryUrl: string
  configPath: string
  voicesDir: string
}

let resolved: MespeakFiles | null | undefined

/** Where mespeak is installed, or undefined when the optional dependency is absent. */
export function locateMespeak(): MespeakFiles | undefined {
  if (resolved === undefined) {
    try {
      const entry = createRequire(import.meta.url).resolve('mespeak')
      const root = dirname(dirname(entry))
      const configPath = join(dirname(entry), 'mespeak_config.json')
      resolved = existsSync(configPath) ? { entryUrl: pathToFileURL(entry).href, configPath, voicesDir: join(root, 'voices') } : null
    } catch {
      resolved = null
    }
  }
  return resolved ?? undefined
}

/** mespeak's voice file for a language: en → en/en-us.json, fr → fr.json, pt-BR → pt.json... */
export function mespeakVoiceFile(voicesDir: string, language: Language): string {
  const lang = language.toLowerCase()
  const candidates = lang === 'en' || lang.startsWith('en-') ? [join(voicesDir, 'en', `${lang === 'en' ? 'en-us' : lang}.json`), join(voicesDir, 'en', 'en-us.json')] : [join(voicesDir, `${lang}.json`), join(voicesDir, `${lang.split('-')[0]}.json`)]
  return candidates.find((file) => existsSync(file)) ?? join(voicesDir, 'en', 'en-us.json')
}

// Runs in the worker. Plain JavaScript: the worker does not go through the TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { readFileSync, writeFileSync } = require('node:fs')
;(async () => {
  const meSpeak = (await import(workerData.entryUrl)).default
  meSpeak.loadConfig(JSON.parse(readFileSync(workerData.configPath, 'utf8')))
  const voice = JSON.parse(readFileSync(workerData.voiceFile, 'utf8'))
  meSpeak.loadVoice(voice)
  const data = meSpeak.speak(workerData.text, { rawdata: 'array', voice: voice.voice_id })
  if (!data || data.length <= 44) throw new Error('mespeak produced no audio')
  writeFileSync(workerData.outPath, Buffer.from(data))
  parentPort.postMessage('done')
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }))
`

export interface MespeakOptions {
  signal: AbortSignal
  timeoutMs: number
}

/** Write a 22.05 kHz mono 16-bit WAV of `text` to `outPath`. */
export function synthesizeWithMespeak(text: string, language: Language, outPath: string, options: MespeakOptions): Promise<void> {
  const provider = MESPEAK_PROVIDER_ID
  const files = locateMespeak()
  if (!files) return Promise.reject(new StepError('provider-unavailable', 'mespeak is not installed (optional dependency)', { provider }))
  if (options.signal.aborted) return Promise.reject(new StepError('cancelled', `${provider}: cancelled`, { provider }))

  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...files, voiceFile: mespeakVoiceFile(files.voicesDir, language), text, outPath },
      // mespeak prints banners; keep them out of the app's console.
      stdout: true,
      stderr: true
    })
    worker.stdout.resume()
    worker.stderr.resume()
    let settled = false
    const finish = (error?: StepError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal.removeEventListener('abort', onAbort)
      // Settle only once the worker is gone, so the caller never deletes a file it is still writing.
      void worker.terminate().finally(() => (error ? reject(error) : resolve()))
    }
    const onAbort = (): void => finish(new StepError('cancelled', `${provider}: cancelled`, { provider }))
    options.signal.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => finish(new StepError('retryable', `${provider}: did not finish within ${formatMs(options.timeoutMs)}`, { provider })), options.timeoutMs)
    worker.on('message', (message: unknown) => {
      if (message === 'done') finish()
      else finish(new StepError('retryable', `${provider}: ${(message as { error?: string }).error ?? 'failed'}`, { provider }))
    })
    worker.on('error', (err) => finish(new StepError('retryable', `${provider}: ${err.message}`, { provider, cause: err })))
    worker.on('exit', (code) => finish(new StepError('retryable', `${provider}: worker exited early (code ${code})`, { provider })))
  })
}
