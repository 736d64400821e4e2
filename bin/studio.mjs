#!/usr/bin/env node
// The headless studio: the same engine as the desktop app, from a terminal.
// TypeScript sources run through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api'

register()
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
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
