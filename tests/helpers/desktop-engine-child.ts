/**
 * The desktop app's engine as the utility process runs it (the studio, keys asked from the main
 * process over the port), but in a child process: the electron double has no utility process.
 * Usage: desktop-engine-child.ts <dataDir> [--no-start]
 */
import { runChildHost } from '../../src/main/host/child-host'
import { openStudio } from '../../src/main/engine/studio'
import { FAST_TIMINGS } from './engine'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: desktop-engine-child <dataDir> [--no-start]')
void runChildHost((secrets) => openStudio({ dataDir, secrets, timings: FAST_TIMINGS }), { secrets: 'client', startWork: !process.argv.includes('--no-start') })
