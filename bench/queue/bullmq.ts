/**
 * BullMQ as a peer in the queue benchmark: the same no-op jobs, the same N and concurrency, on a
 * private redis-server (./redis-server.ts) started for the run with the persistence asked for.
 *
 * BullMQ needs a Redis client; it finds ioredis itself only through CommonJS `require`, so the
 * client is built here and handed over. ioredis is loaded with `require` too, which also honours
 * NODE_PATH (a scratch install can be pointed at without touching node_modules).
 */
import { createRequire } from 'node:module'
import { payload } from './noop-engine'
import { redisServerVersion, startRedis, type RedisPersistence } from './redis-server'

/** What is used of an ioredis client here (its types are not a dependency of the project). */
interface RedisClient {
  connect(...args: unknown[]): unknown
  duplicate(...args: unknown[]): unknown
  info(section: string): Promise<string>
  disconnect(): void
}
type RedisConstructor = new (options: { host: string; port: number; maxRetriesPerRequest: null }) => RedisClient

function loadIoredis(): RedisConstructor {
  const mod = createRequire(import.meta.url)('ioredis') as RedisConstructor & { default?: RedisConstructor }
  return mod.default ?? mod
}

/** Why BullMQ cannot run here (a sentence for the skip line), or null when it can. */
export function bullmqUnavailable(): string | null {
  if (!redisServerVersion()) return 'redis-server is not installed (Debian package redis-server; `npm run bench` installs it)'
  try {
    loadIoredis()
  } catch {
    return 'the ioredis package is not installed (BullMQ needs it as its Redis client)'
  }
  return null
}

/** "BullMQ 6.7.0, ioredis 5.x, redis-server 7.0.15": what the figures were measured with. */
export function bullmqVersions(): string {
  const require = createRequire(import.meta.url)
  const version = (name: string) => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version
    } catch {
      return 'missing'
    }
  }
  return `BullMQ ${version('bullmq')}, ioredis ${version('ioredis')}, redis-server ${redisServerVersion() ?? 'missing'}`
}

export interface BullmqRun {
  enqueueMs: number
  processMs: number
  /** CPU time of this process while processing. */
  cpuMs: number
  /** CPU time of redis-server while processing (its INFO used_cpu_user + used_cpu_sys). */
  redisCpuMs: number
  processed: number
}

async function redisCpuMs(client: RedisClient): Promise<number> {
  const info = await client.info('cpu')
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000
}

/**
 * Every job carries a priority (10, as our jobs default to): our engine always serves jobs in
 * priority order, and in BullMQ only a job with a priority goes through its prioritized set; a job
 * without one is a plain FIFO list, which would measure a queue that cannot reorder.
 */
export async function runBullmq(n: number, concurrency: number, persistence: RedisPersistence): Promise<BullmqRun> {
  const Redis = loadIoredis()
  const { Queue, Worker } = await import('bullmq')
  const redis = await startRedis(persistence)
  // maxRetriesPerRequest null: BullMQ requires it for a worker's blocking connection.
  const connect = () => new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null })
  const queueClient = connect()
  const workerClient = connect()
  const infoClient = connect()
  try {
    // Defaults otherwise: completed jobs are kept (as ours keeps them), 3 attempts like our maxRetries.
    const queue = new Queue('noop', { connection: queueClient, defaultJobOptions: { attempts: 3 } })
    await queue.waitUntilReady()
    const jobs = Array.from({ length: n }, (_, i) => ({ name: 'noop', data: payload(i), opts: { priority: 10 } }))
    let t = performance.now()
    await queue.addBulk(jobs) // one MULTI for all of them: its batch API
    const enqueueMs = performance.now() - t

    let done = 0
    let allDone!: () => void
    const finished = new Promise<void>((resolve) => (allDone = resolve))
    const worker = new Worker('noop', async () => {}, { connection: workerClient, concurrency, autorun: false })
    worker.on('completed', () => {
      if (++done === n) allDone()
    })
    await worker.waitUntilReady()
    const redisCpuBefore = await redisCpuMs(infoClient)
    const cpu = process.cpuUsage()
    t = performance.now()
    void worker.run()
    await finished
    const processMs = performance.now() - t
    const d = process.cpuUsage(cpu)
    const redisCpu = (await redisCpuMs(infoClient)) - redisCpuBefore

    const processed = (await queue.getJobCounts('completed')).completed ?? 0
    await worker.close()
    await queue.close()
    return {
      enqueueMs,
      processMs,
      cpuMs: (d.user + d.system) / 1000,
      redisCpuMs: redisCpu,
      processed
    }
  } finally {
    for (const c of [queueClient, workerClient, infoClient]) c.disconnect()
    await redis.stop()
  }
}
