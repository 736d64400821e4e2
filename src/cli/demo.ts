import type { Engine } from '../main/engine/engine'
import type { JobDetail } from '../shared/types'
import { duration } from './format'
import type { CliIo } from './io'
import { runPool } from './run'
import { shortJobId } from '../shared/job-id'

/** Sample ideas for the README's first command: offline, no key, real videos at the end. */
export const DEMO_IDEAS = [
  { idea: 'Why octopuses have three hearts', language: 'en', preset: 'short' },
  { idea: 'Le secret d’un bon pain au levain', language: 'fr', preset: 'short' },
  { idea: 'How honey bees tell each other where the flowers are', language: 'en', preset: 'landscape' }
] as const

/**
 * `studio demo`: queue a few video jobs, run them to completion, and say where the files are.
 * `draft` asks each job for a draft render (half size, fastest encoder) through the job's own
 * input, so a quick look at the demo leaves the saved draft setting as the user left it.
 */
export async function demo(engine: Engine<any>, io: CliIo, o: { count: number; json: boolean; draft?: boolean }): Promise<number> {
  const jobs = engine.queue.enqueueMany(
    DEMO_IDEAS.slice(0, o.count).map((d) => ({ type: 'video', input: { ...d, ...(o.draft ? { draft: true } : {}) }, projectId: 'demo' }))
  )
  if (!o.json) io.stdout.write(`queued ${jobs.length} ${o.draft ? 'draft ' : ''}video jobs (offline providers: templates, sharp, ${'system speech'}, ffmpeg)\n`)
  await runPool(engine, io, { untilIdle: true, json: o.json, quiet: true })
  const done = jobs.map((j) => engine.queue.get(j.id)!) as JobDetail[]
  if (o.json) {
    io.stdout.write(JSON.stringify(done.map((j) => ({ id: j.id, status: j.status, error: j.error, files: j.steps.at(-1)?.files ?? {} })), null, 2) + '\n')
  } else {
    io.stdout.write('\nresults\n')
    for (const j of done) {
      const video = j.steps.at(-1)
      io.stdout.write(`  ${j.status === 'completed' ? '✔' : '✘'} ${shortJobId(j.id)}  ${j.title}  (${duration(j.actualDurationMs)})\n`)
      if (j.error) io.stdout.write(`      error: ${j.error}\n`)
      for (const [name, path] of Object.entries(video?.files ?? {})) io.stdout.write(`      ${name}: ${path}\n`)
    }
    // An id to copy, not a placeholder to fill in.
    io.stdout.write(`\nevery step's files and log: studio show ${shortJobId(done[0]!.id)} --data-dir ${engine.dataDir} (ids above)\n`)
  }
  return done.every((j) => j.status === 'completed') ? 0 : 1
}
