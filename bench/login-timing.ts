/**
 * Workload 7: what a wrong password tells about a user name. The OAuth endpoints `isctl login`
 * uses run in-process over an htpasswd file written with the real `htpasswd -B`, and
 * `GET /oauth/authorize` with Basic credentials is answered for a wrong password of an existing
 * user and for a user that does not exist, in interleaved rounds. Each round uses its own
 * names, so the per-user throttle never locks one out and both paths stay the plain failure.
 * The design answers every failure a fixed time after it arrived
 * (docs/access-control.md#users-and-login), so the ratio of the medians should be about 1.
 * The same rounds against endpoints without that delay show what it hides: the time of the
 * password check itself (one bcrypt comparison either way).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Fastify, { type FastifyInstance } from 'fastify'
import { HtpasswdFile } from '../src/server/auth/htpasswd-file.js'
import {
  CLI_CLIENT_ID,
  registerOAuthServer,
  type OAuthServerOptions,
} from '../src/server/auth/oauth-server.js'
import { openSqliteStore } from '../src/storage/sqlite/index.js'
import { median, round } from './stats.js'

const ROUNDS = 20
const QUIET = { info: () => {}, warn: () => {} }

/** runLoginTiming measures the answer time of both kinds of failed login. */
export async function runLoginTiming(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-bench-login-'))
  const htpasswd = join(dir, 'users.htpasswd')
  writeFileSync(htpasswd, '')
  for (let i = 0; i < ROUNDS; i++) {
    execFileSync('htpasswd', ['-b', '-B', htpasswd, `user-${i}`, `right-${i}`], { stdio: 'ignore' })
  }
  const passwords = await HtpasswdFile.open(htpasswd, QUIET)
  const store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
  const delayed = await oauthApp({ store, passwords })
  const undelayed = await oauthApp({ store, passwords, failureDelayMs: 0 })
  try {
    const answered = await failures(delayed, 'answered')
    const checked = await failures(undelayed, 'checked')
    return {
      workload: 'login-timing',
      rounds: ROUNDS,
      wrongPasswordMedianMs: round(answered.known, 1),
      unknownUserMedianMs: round(answered.unknown, 1),
      ratio: round(answered.known / answered.unknown, 4),
      withoutDelayWrongPasswordMedianMs: round(checked.known, 2),
      withoutDelayUnknownUserMedianMs: round(checked.unknown, 2),
      withoutDelayRatio: round(checked.known / checked.unknown, 4),
    }
  } finally {
    await delayed.close()
    await undelayed.close()
    passwords.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** oauthApp is a fastify app with only the OAuth endpoints. */
async function oauthApp(
  options: Pick<OAuthServerOptions, 'store' | 'passwords' | 'failureDelayMs'>,
): Promise<FastifyInstance> {
  const app = Fastify()
  registerOAuthServer(app, { ...options, tokenMaxAgeSeconds: 3600, logger: QUIET })
  await app.ready()
  return app
}

/** login times one refused code-flow authorization with Basic credentials, as `isctl login -u` sends them. */
async function login(app: FastifyInstance, user: string, password: string): Promise<number> {
  const basic = Buffer.from(`${user}:${password}`).toString('base64')
  const start = performance.now()
  const res = await app.inject({
    method: 'GET',
    url: `/oauth/authorize?client_id=${CLI_CLIENT_ID}&response_type=code`,
    headers: { host: '127.0.0.1:8443', 'x-csrf-token': '1', authorization: `Basic ${basic}` },
  })
  const ms = performance.now() - start
  if (res.statusCode !== 401) throw new Error(`a failed login answered ${res.statusCode}`)
  return ms
}

/**
 * failures times ROUNDS wrong passwords of existing users against as many unknown users,
 * interleaved, each name once (`label` keeps the names of two runs apart), and returns the medians.
 */
async function failures(
  app: FastifyInstance,
  label: string,
): Promise<{ known: number; unknown: number }> {
  const known: number[] = []
  const unknown: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    // Alternating which goes first keeps warm-up and garbage from favouring either.
    const pair = [
      async () => known.push(await login(app, `user-${i}`, `wrong-${label}`)),
      async () => unknown.push(await login(app, `nobody-${label}-${i}`, `wrong-${label}`)),
    ]
    for (const run of i % 2 ? pair.reverse() : pair) await run()
  }
  return { known: median(known), unknown: median(unknown) }
}
