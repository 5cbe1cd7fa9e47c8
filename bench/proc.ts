/** A server process's resource use, read from Linux's /proc, for benchmark reports. */
import { readdirSync, readFileSync } from 'node:fs'

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS = 100

/** rssOf reads VmRSS and VmHWM (the peak), in bytes, of a live process. */
export function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1])
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 }
}

/** cpuSecondsOf reads a process's user+system CPU seconds (fields 14 and 15 of stat). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** MachineCpu is the whole machine's CPU time from /proc/stat, in seconds over all cores. */
export interface MachineCpu {
  readonly busy: number
  readonly total: number
}

/** machineCpu reads the machine's busy and total CPU seconds (every process, every session). */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  return { busy: (total - ticks[3]! - ticks[4]!) / CLOCK_TICKS, total: total / CLOCK_TICKS }
}

/** pidsWithArgument lists the processes whose command line holds `text` (a data dir, say). */
export function pidsWithArgument(text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry))
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids
}
