/** One image of a stream: its configuration (entrypoint, env, labels), layers and creation time. */
import { api, IMAGE_API } from '../api.js'
import type { Image } from '../model.js'
import { consolePath, Link } from '../router.js'
import { bytes, Digest, LoadStatus, Page, useLoad } from '../ui.js'

/** ImagePage shows the image `digest` as the stream `stream` holds it. */
export function ImagePage(props: { namespace: string; stream: string; digest: string }) {
  const { namespace: ns, stream, digest } = props
  const loaded = useLoad(
    () =>
      api<{ image: Image }>(
        'GET',
        `${IMAGE_API}/namespaces/${encodeURIComponent(ns)}/imagestreamimages/${encodeURIComponent(`${stream}@${digest}`)}`,
      ),
    [ns, stream, digest],
  )
  const image = loaded.state === 'ok' ? loaded.value.image : undefined
  const config = image?.dockerImageMetadata?.Config
  return (
    <Page title={`Image ${digest.replace(/^sha256:/, '').slice(0, 12)}`}>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/console/">Projects</Link> / <Link href={consolePath('ns', ns)}>{ns}</Link> /{' '}
        <Link href={consolePath('ns', ns, 'streams', stream)}>{stream}</Link> / image
      </nav>
      <LoadStatus loaded={loaded} />
      {image && (
        <>
          <dl class="facts card">
            <dt>Digest</dt>
            <dd>
              <code>{image.metadata.name}</code>
            </dd>
            <dt>Media type</dt>
            <dd>{image.dockerImageManifestMediaType}</dd>
            <dt>Created</dt>
            <dd>{image.dockerImageMetadata?.Created ?? 'unknown'}</dd>
            <dt>Platform</dt>
            <dd>
              {image.dockerImageMetadata?.Os ?? '?'}/
              {image.dockerImageMetadata?.Architecture ?? '?'}
            </dd>
            <dt>Entrypoint</dt>
            <dd>
              <code>{JSON.stringify(config?.Entrypoint ?? [])}</code>
            </dd>
            <dt>Command</dt>
            <dd>
              <code>{JSON.stringify(config?.Cmd ?? [])}</code>
            </dd>
          </dl>
          {(image.dockerImageManifests ?? []).length > 0 && (
            <section class="card" aria-labelledby="manifests">
              <h2 id="manifests">Platforms</h2>
              <ul>
                {image.dockerImageManifests?.map((m) => (
                  <li key={m.digest}>
                    {[m.os, m.architecture, m.variant].filter(Boolean).join('/')}{' '}
                    <Digest value={m.digest} />
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section class="card" aria-labelledby="env">
            <h2 id="env">Environment</h2>
            <ul class="mono">
              {(config?.Env ?? []).map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="labels">
            <h2 id="labels">Labels</h2>
            <dl class="facts">
              {Object.entries(config?.Labels ?? {}).map(([k, v]) => (
                <>
                  <dt key={`k-${k}`}>{k}</dt>
                  <dd key={`v-${k}`}>{v}</dd>
                </>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="layers">
            <h2 id="layers">Layers</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Layer</th>
                  <th scope="col">Size</th>
                </tr>
              </thead>
              <tbody>
                {(image.dockerImageLayers ?? []).map((l, i) => (
                  <tr key={`${i}-${l.name}`}>
                    <td>
                      <Digest value={l.name} />
                    </td>
                    <td>{bytes(l.size)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </Page>
  )
}
