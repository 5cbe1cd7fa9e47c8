/**
 * The two duration formats of server-side Tables: kube's AGE column (apimachinery
 * duration.HumanDuration: `45s`, `3m20s`, `5h`, `2d3h`) and OpenShift's UPDATED column (docker
 * go-units HumanDuration: `2 minutes`, `About an hour`), each followed there by " ago".
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** kubeHumanDuration is apimachinery's duration.HumanDuration of `ms` milliseconds. */
export function kubeHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND)
  // Up to a second of clock skew still reads as "now", as in kube.
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.trunc(ms / MINUTE)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.trunc(ms / HOUR)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365
    const years = Math.trunc(hours / 24 / 365)
    return days === 0 ? `${years}y` : `${years}y${days}d`
  }
  return `${Math.trunc(hours / 24 / 365)}y`
}

/** dockerHumanDuration is docker/go-units HumanDuration, which oc's image printers use. */
export function dockerHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND)
  if (seconds < 1) return 'Less than a second'
  if (seconds === 1) return '1 second'
  if (seconds < 60) return `${seconds} seconds`
  const minutes = Math.trunc(ms / MINUTE)
  if (minutes === 1) return 'About a minute'
  if (minutes < 60) return `${minutes} minutes`
  const hours = Math.trunc(ms / HOUR + 0.5)
  if (hours === 1) return 'About an hour'
  if (hours < 48) return `${hours} hours`
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`
  return `${Math.trunc(ms / HOUR / 24 / 365)} years`
}

/** age renders an RFC 3339 timestamp as kube's AGE cell; `<unknown>` when absent or malformed. */
export function age(timestamp: string | undefined, now: number): string {
  const t = timestamp === undefined ? NaN : Date.parse(timestamp)
  return Number.isNaN(t) ? '<unknown>' : kubeHumanDuration(now - t)
}

/** ago renders an RFC 3339 timestamp as OpenShift's `<duration> ago`; '' when absent. */
export function ago(timestamp: string | undefined, now: number): string {
  const t = timestamp === undefined ? NaN : Date.parse(timestamp)
  return Number.isNaN(t) ? '' : `${dockerHumanDuration(now - t)} ago`
}
