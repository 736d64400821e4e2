#!/usr/bin/env node
// The headless studio: the same engine as the desktop app, from a terminal.
// It runs the CLI built into out/cli (npm ci builds it; `npm run build:cli` rebuilds it), plain
// JavaScript, so starting a command compiles nothing.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../out/cli/main.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(`studio: the CLI is not built (${fileURLToPath(entry)} is missing); run: npm run build:cli\n`)
  process.exit(1)
}
// `studio list | head`: the reader went away. Stop quietly, as a command-line tool killed by
// SIGPIPE would (Node ignores the signal and reports EPIPE instead, with a stack trace).
// `studio run` has work to stop first (its tools run in their own process group): the reader
// going away is a hang-up to it, as a closed terminal is (EIO).
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err
  process.stdout.write = () => true
  if (process.listenerCount('SIGHUP') > 0) process.emit('SIGHUP', 'SIGHUP')
  else process.exit(0)
})
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
