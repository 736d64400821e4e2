#!/usr/bin/env node
// The headless studio: the same engine as the desktop app, from a terminal.
// TypeScript sources run through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
