/** The web console's entry: the session, the header and the page for the current URL (docs/console.md). */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import './styles.css'
import { ImagePage } from './pages/image.js'
import { ImportImagePage } from './pages/import-image.js'
import { LoginPage } from './pages/login.js'
import { ProjectsPage } from './pages/projects.js'
import { PullSecretPage } from './pages/pull-secret.js'
import { StreamPage } from './pages/stream.js'
import { StreamsPage } from './pages/streams.js'
import { navigate, useLocation } from './router.js'
import {
  CALLBACK_PATH,
  clearToken,
  currentToken,
  finishAuthorization,
  onSessionChange,
} from './session.js'
import { messageOf, Page } from './ui.js'

function Callback(props: { query: URLSearchParams; onError: (message: string) => void }) {
  useEffect(() => {
    finishAuthorization(props.query).then(
      () => navigate('/console/'),
      (err: unknown) => {
        props.onError(messageOf(err))
        navigate('/console/login')
      },
    )
  }, [])
  return (
    <Page title="Signing in">
      <p role="status">Signing in…</p>
    </Page>
  )
}

/** route picks the page of a signed-in user's URL. */
function route(url: URL) {
  const parts = url.pathname
    .replace(/^\/console\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent)
  if (parts[0] !== 'ns' || parts[1] === undefined) return <ProjectsPage />
  const ns = parts[1]
  if (parts[2] === 'import') {
    return <ImportImagePage namespace={ns} stream={url.searchParams.get('stream') ?? undefined} />
  }
  if (parts[2] === 'pull-secrets') return <PullSecretPage namespace={ns} />
  if (parts[2] === 'streams' && parts[3] !== undefined) {
    if (parts[4] === 'images' && parts[5] !== undefined) {
      return <ImagePage namespace={ns} stream={parts[3]} digest={parts[5]} />
    }
    return <StreamPage key={`${ns}/${parts[3]}`} namespace={ns} name={parts[3]} />
  }
  return <StreamsPage key={ns} namespace={ns} />
}

function App() {
  const url = useLocation()
  const [signedIn, setSignedIn] = useState(currentToken() !== undefined)
  const [loginError, setLoginError] = useState<string | undefined>()
  useEffect(() => onSessionChange(() => setSignedIn(currentToken() !== undefined)), [])
  let page
  if (url.pathname === CALLBACK_PATH) {
    page = <Callback query={url.searchParams} onError={setLoginError} />
  } else if (!signedIn) {
    page = <LoginPage error={loginError} />
  } else {
    page = route(url)
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="/console/" class="brand">
          Image streams
        </a>
        {signedIn && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              clearToken()
              navigate('/console/login')
            }}
          >
            Sign out
          </button>
        )}
      </header>
      {page}
    </>
  )
}

render(<App />, document.getElementById('app')!)
