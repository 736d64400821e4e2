/**
 * An engine host in a child process, exactly as `studio serve` runs one (same protocol, same
 * child glue), on the test pipelines so a test can hold a step and count calls.
 * Usage: host-child.ts <dataDir>
 */
import { runChildHost } from '../../src/main/host/child-host'
import { openTestEngine } from './engine'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: host-child <dataDir>')
void runChildHost(() => openTestEngine({ concurrency: 2 }, dataDir))
