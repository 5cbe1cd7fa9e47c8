/**
 * Sign-in: a name and password posted to the OAuth server's authorize endpoint as a browser
 * login form (the answer redirects back with a code), or a pasted token.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { setToken, startAuthorization, clearToken, type AuthorizeFields } from '../session.js'
import { navigate } from '../router.js'
import { messageOf, Page } from '../ui.js'

/** LoginPage offers both ways in; `error` is a failed callback's message. */
export function LoginPage(props: { error?: string }) {
  const [fields, setFields] = useState<AuthorizeFields | undefined>()
  const [token, setTokenText] = useState('')
  const [tokenError, setTokenError] = useState<string | undefined>()
  useEffect(() => {
    void startAuthorization().then(setFields)
  }, [])
  const useToken = async (e: Event) => {
    e.preventDefault()
    setToken(token.trim())
    try {
      await api('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      })
      navigate('/console/')
    } catch (err) {
      clearToken()
      setTokenError(messageOf(err))
    }
  }
  return (
    <Page title="Sign in">
      {props.error && (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
      <form class="card" method="post" action="/oauth/authorize" aria-labelledby="password-login">
        <h2 id="password-login">With your user name and password</h2>
        {fields &&
          Object.entries(fields).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
        <label>
          User name
          <input name="username" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={!fields}>
          Sign in
        </button>
      </form>
      <form class="card" onSubmit={(e) => void useToken(e)} aria-labelledby="token-login">
        <h2 id="token-login">With a token</h2>
        <label>
          Token (from <code>isctl whoami -t</code>)
          <input
            name="token"
            type="password"
            autoComplete="off"
            required
            value={token}
            onInput={(e) => setTokenText(e.currentTarget.value)}
          />
        </label>
        {tokenError && (
          <p role="alert" class="error">
            {tokenError}
          </p>
        )}
        <button type="submit">Use token</button>
      </form>
    </Page>
  )
}
