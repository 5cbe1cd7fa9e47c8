/**
 * `-v`/`--loglevel`: the API requests logged to standard error as kubectl 1.32 logs them
 * (k8s.io/client-go transport/round_trippers.go and rest/request.go), each line with klog's
 * header. At 6 one line per request once its answer's status is in: `GET URL 200 OK in 5
 * milliseconds`; at 7 the request line and headers before it is sent and the status after; at
 * 8 the response headers and the bodies too, cut at 1024 characters (10240 at 9, whole from
 * 10). Credentials never show: the Authorization header is masked as client-go masks it, and
 * tokens in bodies and in redirect locations are replaced by `<masked>`.
 */
import type { TextSink } from '../io.js'

/** RequestLog receives each request the API client sends and each answer's head and body. */
export interface RequestLog {
  /** Before sending; returns the handle the answer is reported with. */
  request(method: string, url: URL, headers: Headers, body: string | undefined): RequestRecord
}

/** RequestRecord reports one request's answer. */
export interface RequestRecord {
  /** When the status and headers are in (or the connection failed: status undefined). */
  response(status: number | undefined, headers: Headers): void
  /** The whole body, once read (not for watches, which stream). */
  body(text: string): void
}

/** Headers as a request or an answer carries them: a name may repeat. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>

/** Go's http.StatusText for the codes an API server answers with. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/** statusLine is Go's `resp.Status`: `200 OK`; empty when no answer came, as kubectl prints it. */
export function statusLine(status: number | undefined): string {
  if (status === undefined) return ''
  const text = STATUS_TEXT[status]
  return text === undefined ? String(status) : `${status} ${text}`
}

const KNOWN_AUTH_TYPES = new Set(['bearer', 'basic', 'negotiate'])

/** maskAuthorization is client-go's maskValue for the Authorization header. */
export function maskAuthorization(value: string): string {
  if (value === '') return ''
  const space = value.indexOf(' ')
  const authType = space > 0 ? value.slice(0, space) : value
  if (!KNOWN_AUTH_TYPES.has(authType.toLowerCase())) return '<masked>'
  return value.length > authType.length + 1 ? `${authType} <masked>` : authType
}

/**
 * redactTokens replaces tokens in a body or a URL: JSON `...token` fields, and the OAuth
 * parameters that are or lead to one (`access_token=`, `code=`, `code_verifier=`).
 */
export function redactTokens(text: string): string {
  return text
    .replace(/("[A-Za-z_]*[Tt]oken"\s*:\s*")[^"]*"/g, '$1<masked>"')
    .replace(
      /((?:^|[?#&])(?:access_token|refresh_token|code|code_verifier)=)[^&#\s"]*/g,
      '$1<masked>',
    )
}

/** canonicalName is Go's textproto.CanonicalMIMEHeaderKey: `user-agent` → `User-Agent`. */
function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase())
}

function headerLines(headers: Headers): string[] {
  const lines: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const v of typeof value === 'string' ? [value] : value) {
      const shown = name.toLowerCase() === 'authorization' ? maskAuthorization(v) : redactTokens(v)
      lines.push(`    ${canonicalName(name)}: ${shown}`)
    }
  }
  return lines
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** klogHeader is klog's line prefix: `I1207 16:41:03.494247   15027 file]`. */
function klogHeader(at: Date, pid: number, file: string): string {
  const date = `${pad(at.getMonth() + 1, 2)}${pad(at.getDate(), 2)}`
  const time = `${pad(at.getHours(), 2)}:${pad(at.getMinutes(), 2)}:${pad(at.getSeconds(), 2)}.${pad(at.getMilliseconds() * 1000, 6)}`
  return `I${date} ${time} ${String(pid).padStart(7)} ${file}]`
}

function truncateBody(body: string, level: number): string {
  if (level >= 10) return body
  const max = level >= 9 ? 10240 : 1024
  return body.length <= max ? body : `${body.slice(0, max)} [truncated ${body.length - max} chars]`
}

/** RequestLogOptions say where and how much to log. */
export interface RequestLogOptions {
  readonly level: number
  readonly sink: TextSink
  readonly now: () => Date
  readonly pid: number
}

/** requestLog returns the log for `level`, or undefined below 6 (nothing to log). */
export function requestLog(options: RequestLogOptions): RequestLog | undefined {
  const { level, sink, now, pid } = options
  if (level < 6) return undefined
  const write = (file: string, lines: readonly string[]) => {
    const header = klogHeader(now(), pid, file)
    sink.write(lines.map((l) => `${header} ${l}\n`).join(''))
  }
  return {
    request(method, url, headers, body) {
      const shownURL = redactTokens(url.href)
      const start = performance.now()
      if (level >= 8)
        write('request.go', [
          `"Request Body" body=${quote(truncateBody(redactTokens(body ?? ''), level))}`,
        ])
      if (level >= 7) {
        write('round_trippers.go', [
          `${method} ${shownURL}`,
          'Request Headers:',
          ...headerLines(headers),
        ])
      }
      return {
        response(status, responseHeaders) {
          const ms = Math.floor(performance.now() - start)
          const statusText = statusLine(status)
          if (level === 6) {
            write('round_trippers.go', [
              `${method} ${shownURL} ${statusText} in ${ms} milliseconds`,
            ])
            return
          }
          const lines = [`Response Status: ${statusText} in ${ms} milliseconds`]
          if (level >= 8) lines.push('Response Headers:', ...headerLines(responseHeaders))
          write('round_trippers.go', lines)
        },
        body(text) {
          if (level >= 8) {
            write('request.go', [
              `"Response Body" body=${quote(truncateBody(redactTokens(text), level))}`,
            ])
          }
        },
      }
    },
  }
}

/** quote renders a string as klog renders a structured value: Go's strconv.Quote. */
function quote(text: string): string {
  return JSON.stringify(text)
}
