import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { maskAuthorization, redactTokens, requestLog, statusLine } from './request-log.js'

void describe('request log', () => {
  const at = new Date(2026, 11, 7, 16, 41, 3, 494)
  const logged = (level: number, status: number | undefined, body?: string) => {
    let out = ''
    const log = requestLog({ level, sink: { write: (s) => (out += s) }, now: () => at, pid: 15027 })
    const record = log?.request(
      'GET',
      new URL('https://127.0.0.1:8443/api?x=1'),
      { authorization: 'Bearer secret-token', 'impersonate-group': ['a', 'b'] },
      undefined,
    )
    record?.response(status, { 'content-type': 'application/json' })
    if (body !== undefined) record?.body(body)
    return out.replace(/ in \d+ milliseconds/g, ' in N milliseconds')
  }

  void it('logs nothing below 6', () => assert.equal(logged(5, 200, '{}'), ''))

  void it('at 6: one line per request, with klog header, as kubectl 1.32', () =>
    assert.equal(
      logged(6, 200, '{}'),
      'I1207 16:41:03.494000   15027 round_trippers.go] GET https://127.0.0.1:8443/api?x=1 200 OK in N milliseconds\n',
    ))

  void it('at 6, a connection that failed has no status, as kubectl prints it', () =>
    assert.match(
      logged(6, undefined),
      /\] GET https:\/\/127\.0\.0\.1:8443\/api\?x=1 {2}in N milliseconds\n$/,
    ))

  void it('at 8: headers masked, repeated headers on lines of their own, bodies', () => {
    const lines = logged(8, 404, '{"token":"abc","x":1}')
      .split('\n')
      .map((l) => l.replace(/^I\S+ \S+ +\d+ \S+\] /, ''))
    assert.deepEqual(lines, [
      '"Request Body" body=""',
      'GET https://127.0.0.1:8443/api?x=1',
      'Request Headers:',
      '    Authorization: Bearer <masked>',
      '    Impersonate-Group: a',
      '    Impersonate-Group: b',
      'Response Status: 404 Not Found in N milliseconds',
      'Response Headers:',
      '    Content-Type: application/json',
      '"Response Body" body="{\\"token\\":\\"<masked>\\",\\"x\\":1}"',
      '',
    ])
  })

  void it('cuts bodies at 1024 characters at 8, 10240 at 9, not at 10', () => {
    const body = 'x'.repeat(20000)
    assert.match(logged(8, 200, body), /x{1024} \[truncated 18976 chars\]"\n$/)
    assert.match(logged(9, 200, body), /x{10240} \[truncated 9760 chars\]"\n$/)
    assert.match(logged(10, 200, body), /x{20000}"\n$/)
  })

  const masks: [string, string][] = [
    ['Bearer abc', 'Bearer <masked>'],
    ['basic dXNlcjpwdw==', 'basic <masked>'],
    ['Bearer', 'Bearer'],
    ['sometoken', '<masked>'],
    ['', ''],
  ]
  for (const [value, want] of masks) {
    void it(`masks Authorization ${JSON.stringify(value)} as client-go does`, () =>
      assert.equal(maskAuthorization(value), want))
  }

  void it('redacts tokens in bodies and redirect locations', () => {
    assert.equal(
      redactTokens('{"access_token": "sha256~x", "kind":"OAuthAccessToken","token":"t"}'),
      '{"access_token": "<masked>", "kind":"OAuthAccessToken","token":"<masked>"}',
    )
    assert.equal(
      redactTokens('https://h/oauth/token/implicit#access_token=sha256~x&expires_in=86400'),
      'https://h/oauth/token/implicit#access_token=<masked>&expires_in=86400',
    )
    assert.equal(
      redactTokens('https://h/cb?code=abc&state=s'),
      'https://h/cb?code=<masked>&state=s',
    )
    assert.equal(
      redactTokens('code=abc&grant_type=authorization_code&code_verifier=v'),
      'code=<masked>&grant_type=authorization_code&code_verifier=<masked>',
    )
  })

  void it("names statuses as Go's http.StatusText", () => {
    assert.equal(statusLine(201), '201 Created')
    assert.equal(statusLine(299), '299')
    assert.equal(statusLine(undefined), '')
  })
})
