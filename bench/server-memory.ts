/**
 * A server's memory as its `/metrics` breaks it down: RSS, the V8 heap (reserved and used),
 * external memory and the Buffers within it, and what its open watches hold queued. RSS alone
 * cannot tell a leak from garbage the heap has yet to collect, or from sockets' write buffers.
 */
import { round } from './stats.js'

const MB = 2 ** 20

/** ServerMemory is one reading, in MB (watches: a count). */
export interface ServerMemory {
  readonly rssMB: number
  readonly heapTotalMB: number
  readonly heapUsedMB: number
  readonly externalMB: number
  readonly arrayBuffersMB: number
  readonly watches: number
  readonly watchBufferedMB: number
}

const METRICS: Record<keyof ServerMemory, string> = {
  rssMB: 'process_resident_memory_bytes',
  heapTotalMB: 'nodejs_heap_size_total_bytes',
  heapUsedMB: 'nodejs_heap_size_used_bytes',
  externalMB: 'nodejs_external_memory_bytes',
  arrayBuffersMB: 'imagestreams_process_array_buffers_bytes',
  watches: 'imagestreams_watches',
  watchBufferedMB: 'imagestreams_watch_buffered_bytes',
}

/** serverMemory reads one breakdown from `metrics`, the text of the server's `/metrics`. */
export function serverMemory(metrics: string): ServerMemory {
  const value = (name: string): number => {
    const line = new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)
    if (!line) throw new Error(`/metrics has no ${name}`)
    return Number(line[1])
  }
  const reading = {} as Record<keyof ServerMemory, number>
  for (const [key, name] of Object.entries(METRICS) as [keyof ServerMemory, string][]) {
    reading[key] = key === 'watches' ? value(name) : round(value(name) / MB, 1)
  }
  return reading
}
