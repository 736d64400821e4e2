/**
 * A private redis-server for one benchmark run: Debian's binary, on 127.0.0.1, on a free port,
 * with its files in a fresh temp folder, started before the run and stopped (and its folder
 * removed) after it. Nothing is left behind and no system Redis is touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * How Redis keeps its data.
 * - none: in memory only (no RDB snapshot, no AOF): a crash of redis-server loses every job.
 * - aof-everysec: every write appended to the AOF before the client gets its reply, fsynced once
 *   a second: a crash of redis-server loses nothing, a power cut up to about a second.
 * - aof-always: every write fsynced before the reply: survives a power cut.
 */
export type RedisPersistence = 'none' | 'aof-everysec' | 'aof-always'

export interface RedisServer {
  port: number
  version: string
  /** Stops redis-server (SIGTERM, which with AOF flushes it) and removes its folder. */
  stop(): Promise<void>
}

/** The redis-server on PATH and its version, or null when it is not installed. */
export function redisServerVersion(): string | null {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (out.error || out.status !== 0) return null
  return /v=(\S+)/.exec(out.stdout)?.[1] ?? out.stdout.trim()
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function persistenceArgs(p: RedisPersistence): string[] {
  const noSnapshots = ['--save', '']
  if (p === 'none') return [...noSnapshots, '--appendonly', 'no']
  return [...noSnapshots, '--appendonly', 'yes', '--appendfsync', p === 'aof-always' ? 'always' : 'everysec']
}

async function startOnce(persistence: RedisPersistence, dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--logfile', '', ...persistenceArgs(persistence)],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with code ${code}:\n${output}`))
    })
  })
  // Keep draining its log so that a full pipe never blocks it.
  child.stdout!.removeAllListeners('data').resume()
  child.stderr!.removeAllListeners('data').resume()
  child.removeAllListeners('exit')
  return child
}

export async function startRedis(persistence: RedisPersistence): Promise<RedisServer> {
  const version = redisServerVersion()
  if (!version) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)')
  const dir = mkdtempSync(join(tmpdir(), 'queue-bench-redis-'))
  let child: ChildProcess | undefined
  let port = 0
  // Another process may take the free port between the probe and redis-server's bind: try again.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort()
    try {
      child = await startOnce(persistence, dir, port)
    } catch (err) {
      if (attempt >= 4) {
        rmSync(dir, { recursive: true, force: true })
        throw err
      }
    }
  }
  const running = child
  return {
    port,
    version,
    async stop() {
      if (running.exitCode === null && running.signalCode === null) {
        const exited = once(running, 'exit')
        running.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
