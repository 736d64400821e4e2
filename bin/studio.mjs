#!/usr/bin/env node
// The headless studio: the same engine as the desktop app, from a terminal.
// TypeScript sources run through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api'

register()
// `studio list | head`: the reader went away. Stop quietly, as a command-line tool killed by
// SIGPIPE would (Node ignores the signal and reports EPIPE instead, with a stack trace).
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
