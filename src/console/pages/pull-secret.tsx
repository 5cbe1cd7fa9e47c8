/**
 * Create a pull secret (a registry, user and password, or an uploaded config.json) and link it
 * to a service account, as `isctl create secret docker-registry` and `isctl secrets link` do.
 */
import { useState } from 'preact/hooks'
import { nameIsDNSSubdomain } from '../../api/names.js'
import { api, namespaced, type KubeObject } from '../api.js'
import { consolePath, Link } from '../router.js'
import { messageOf, Page } from '../ui.js'

interface ServiceAccount extends KubeObject {
  secrets?: { name: string }[]
  imagePullSecrets?: { name: string }[]
}

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
}

/** dockerConfig is the config.json of one registry login, as docker writes it. */
function dockerConfig(registry: string, username: string, password: string): string {
  return JSON.stringify({
    auths: { [registry]: { username, password, auth: base64(`${username}:${password}`) } },
  })
}

/** PullSecretPage creates a pull secret in `namespace` and optionally links it. */
export function PullSecretPage(props: { namespace: string }) {
  const ns = props.namespace
  const [nameText, setName] = useState('')
  const [source, setSource] = useState<'login' | 'file'>('login')
  const [registryText, setRegistry] = useState('')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [file, setFile] = useState<string | undefined>()
  const [accountText, setAccount] = useState('default')
  const [done, setDone] = useState<string | undefined>()
  const [failure, setFailure] = useState<string | undefined>()
  const submit = async (e: Event) => {
    e.preventDefault()
    setDone(undefined)
    setFailure(undefined)
    const name = nameText.trim()
    const registry = registryText.trim()
    const account = accountText.trim()
    const badName = nameIsDNSSubdomain(name, false)
    if (name === '' || badName.length > 0) {
      setFailure(`invalid secret name ${JSON.stringify(name)}: ${badName.join(', ') || 'required'}`)
      return
    }
    let config: string
    if (source === 'file') {
      if (!file) return setFailure('choose a config.json file')
      try {
        JSON.parse(file)
      } catch {
        return setFailure('the file is not JSON: choose a docker config.json')
      }
      config = file
    } else {
      if (!registry || !username || !password) {
        return setFailure('the registry server, user name and password are all required')
      }
      config = dockerConfig(registry, username, password)
    }
    try {
      await api('POST', namespaced(ns, 'secrets'), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': base64(config) },
      })
      let message = `Secret ${name} created.`
      if (account !== '') {
        const sa = await api<ServiceAccount>('GET', namespaced(ns, 'serviceaccounts', account))
        const pulls = sa.imagePullSecrets ?? []
        if (!pulls.some((s) => s.name === name)) {
          await api('PUT', namespaced(ns, 'serviceaccounts', account), {
            ...sa,
            imagePullSecrets: [...pulls, { name }],
          })
        }
        message += ` Linked to service account ${account} for pulls.`
      }
      setDone(message)
      setPassword('')
    } catch (err) {
      setFailure(messageOf(err))
    }
  }
  return (
    <Page title="Add a pull secret">
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/console/">Projects</Link> / <Link href={consolePath('ns', ns)}>{ns}</Link> /
        pull secret
      </nav>
      <form class="card" noValidate onSubmit={(e) => void submit(e)}>
        <label for="secret-name">Secret name</label>
        <input id="secret-name" value={nameText} onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset>
          <legend>Credentials</legend>
          <label class="check">
            <input
              type="radio"
              name="source"
              checked={source === 'login'}
              onChange={() => setSource('login')}
            />
            Registry, user name and password
          </label>
          <label class="check">
            <input
              type="radio"
              name="source"
              checked={source === 'file'}
              onChange={() => setSource('file')}
            />
            Upload a config.json
          </label>
        </fieldset>
        {source === 'login' ? (
          <>
            <label for="secret-registry">Registry server</label>
            <input
              id="secret-registry"
              placeholder="registry.example.com"
              value={registryText}
              onInput={(e) => setRegistry(e.currentTarget.value)}
            />
            <label for="secret-user">User name</label>
            <input
              id="secret-user"
              autoComplete="off"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
            <label for="secret-password">Password</label>
            <input
              id="secret-password"
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </>
        ) : (
          <>
            <label for="secret-file">config.json</label>
            <input
              id="secret-file"
              type="file"
              accept=".json,application/json"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0]
                if (f) void f.text().then(setFile)
              }}
            />
          </>
        )}
        <label for="secret-account">Link to service account (empty: do not link)</label>
        <input
          id="secret-account"
          value={accountText}
          onInput={(e) => setAccount(e.currentTarget.value)}
        />
        {failure && (
          <p role="alert" class="error">
            {failure}
          </p>
        )}
        {done && (
          <p role="status" class="notice">
            {done}
          </p>
        )}
        <button type="submit">Create secret</button>
      </form>
    </Page>
  )
}
