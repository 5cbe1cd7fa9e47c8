/**
 * One image stream, live: per tag its source, import mode, reference policy, schedule, current
 * digest, the platforms of a manifest list, its history and conditions, and the pull command;
 * with the actions the user may take (re-import, switch import mode, add or remove a tag, delete).
 */
import { useState } from 'preact/hooks'
import { api, IMAGE_API, namespaced } from '../api.js'
import { importImage } from '../imports.js'
import { useLiveList } from '../live.js'
import {
  pullSpec,
  type Image,
  type ImageStream,
  type ScheduledTag,
  type SpecTag,
  type StreamSchedule,
} from '../model.js'
import { consolePath, Link, navigate } from '../router.js'
import { addTag, checkTag, TAG_SOURCE_KINDS, type TagInput } from '../tags.js'
import { ago, Digest, LoadStatus, messageOf, Page, until, useCan, useLoad } from '../ui.js'

/** The rights that decide which actions are offered. */
interface Rights {
  readonly importing: boolean
  readonly removingTags: boolean
}

/** StreamPage shows one stream. */
export function StreamPage(props: { namespace: string; name: string }) {
  const { namespace: ns, name } = props
  const path = `${namespaced(ns, 'imagestreams')}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`
  const loaded = useLiveList<ImageStream>(path)
  const rights: Rights = {
    importing: useCan('create', 'imagestreamimports', ns),
    removingTags: useCan('delete', 'imagestreamtags', ns),
  }
  const canDelete = useCan('delete', 'imagestreams', ns)
  const canUpdate = useCan('update', 'imagestreams', ns)
  const [notice, setNotice] = useState<{ ok: boolean; message: string } | undefined>()
  const stream = loaded.state === 'ok' ? loaded.value[0] : undefined
  const remove = async () => {
    if (!confirm(`Delete the image stream ${name} and all its tags?`)) return
    try {
      await api('DELETE', namespaced(ns, 'imagestreams', name))
      navigate(consolePath('ns', ns))
    } catch (err) {
      setNotice({ ok: false, message: messageOf(err) })
    }
  }
  return (
    <Page
      title={`Image stream ${name}`}
      actions={
        <>
          {rights.importing && (
            <Link
              class="button"
              href={`${consolePath('ns', ns, 'import')}?stream=${encodeURIComponent(name)}`}
            >
              Import image
            </Link>
          )}
          {canDelete && stream && (
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete stream
            </button>
          )}
        </>
      }
    >
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/console/">Projects</Link> / <Link href={consolePath('ns', ns)}>{ns}</Link> /{' '}
        {name}
      </nav>
      {notice && (
        <p role={notice.ok ? 'status' : 'alert'} class={notice.ok ? 'notice' : 'error'}>
          {notice.message}
        </p>
      )}
      <LoadStatus loaded={loaded} />
      {loaded.state === 'ok' && !stream && (
        <p role="alert">The image stream {name} does not exist.</p>
      )}
      {stream && <StreamBody stream={stream} rights={rights} onNotice={setNotice} />}
      {stream && canUpdate && <AddTagForm namespace={ns} stream={name} onNotice={setNotice} />}
    </Page>
  )
}

function StreamBody(props: {
  stream: ImageStream
  rights: Rights
  onNotice: (n: { ok: boolean; message: string }) => void
}) {
  const { stream } = props
  const ns = stream.metadata.namespace ?? ''
  const name = stream.metadata.name
  const specTags = new Map((stream.spec?.tags ?? []).map((t) => [t.name, t]))
  const scheduled = (stream.spec?.tags ?? []).some((t) => t.importPolicy?.scheduled === true)
  // Read again whenever the stream changes; a check that found nothing new changes only the queue.
  const schedule = useLoad(
    () =>
      scheduled
        ? api<StreamSchedule>('GET', `${namespaced(ns, 'imagestreams', name)}/schedule`)
        : Promise.resolve(undefined),
    [ns, name, stream.metadata.resourceVersion, scheduled],
  )
  const checks = new Map(
    schedule.state === 'ok' ? (schedule.value?.tags ?? []).map((t) => [t.tag, t]) : [],
  )
  const names = [
    ...new Set([...(stream.status?.tags ?? []).map((t) => t.tag), ...specTags.keys()]),
  ].sort()
  return (
    <>
      {stream.status?.dockerImageRepository && (
        <p>
          Repository:{' '}
          <code>
            {stream.status.publicDockerImageRepository || stream.status.dockerImageRepository}
          </code>
        </p>
      )}
      {names.length === 0 && <p>This stream has no tags yet.</p>}
      {names.map((tag) => (
        <TagCard
          key={tag}
          stream={stream}
          tag={tag}
          spec={specTags.get(tag)}
          check={checks.get(tag)}
          rights={props.rights}
          onNotice={props.onNotice}
        />
      ))}
    </>
  )
}

/** scheduleText says where a scheduled tag stands, as `isctl describe is` does. */
function scheduleText(check: ScheduledTag | undefined): string {
  if (!check) return 'yes, checked periodically'
  const last = check.lastCheckTime ? `last checked ${ago(check.lastCheckTime)}` : 'not checked yet'
  const failing = check.failures > 0 ? `; ${check.failures} failed in a row` : ''
  return `yes: ${last}, next check ${until(check.nextCheckTime)}${failing}`
}

function TagCard(props: {
  stream: ImageStream
  tag: string
  spec: SpecTag | undefined
  check: ScheduledTag | undefined
  rights: Rights
  onNotice: (n: { ok: boolean; message: string }) => void
}) {
  const { stream, tag, spec, check } = props
  const ns = stream.metadata.namespace ?? ''
  const name = stream.metadata.name
  const status = stream.status?.tags?.find((t) => t.tag === tag)
  const current = status?.items?.[0]
  const mode = spec?.importPolicy?.importMode ?? 'Legacy'
  const pull = pullSpec(stream, tag)
  const [busy, setBusy] = useState(false)
  const headingId = `tag-${tag}`
  const reimport = async (importMode: string) => {
    if (!spec?.from || spec.from.kind !== 'DockerImage') return
    setBusy(true)
    try {
      const outcome = await importImage(ns, {
        stream: name,
        tag,
        from: spec.from.name,
        importMode,
        referencePolicy: spec.referencePolicy?.type ?? 'Source',
        scheduled: spec.importPolicy?.scheduled === true,
        insecure: spec.importPolicy?.insecure === true,
      })
      props.onNotice(
        outcome.ok ? { ok: true, message: `${tag}: imported as ${importMode}.` } : outcome,
      )
    } catch (err) {
      props.onNotice({ ok: false, message: messageOf(err) })
    } finally {
      setBusy(false)
    }
  }
  const removeTag = async () => {
    if (!confirm(`Remove the tag ${name}:${tag}?`)) return
    try {
      await api('DELETE', namespaced(ns, 'imagestreamtags', `${name}:${tag}`))
      props.onNotice({ ok: true, message: `Tag ${tag} removed.` })
    } catch (err) {
      props.onNotice({ ok: false, message: messageOf(err) })
    }
  }
  const importable = props.rights.importing && spec?.from?.kind === 'DockerImage'
  return (
    <section class="card tag" aria-labelledby={headingId} data-tag={tag}>
      <h2 id={headingId}>{tag}</h2>
      <dl class="facts">
        <dt>Source</dt>
        <dd>{spec?.from ? <code>{spec.from.name}</code> : 'none (pushed or set by the server)'}</dd>
        <dt>Import mode</dt>
        <dd data-field="import-mode">{mode}</dd>
        <dt>Reference policy</dt>
        <dd>{spec?.referencePolicy?.type ?? 'Source'}</dd>
        <dt>Scheduled</dt>
        <dd data-field="scheduled">{spec?.importPolicy?.scheduled ? scheduleText(check) : 'no'}</dd>
        <dt>Current digest</dt>
        <dd>{current ? <Digest value={current.image} /> : 'none'}</dd>
        {pull && (
          <>
            <dt>Pull</dt>
            <dd>
              <code class="pull">docker pull {pull}</code>
            </dd>
          </>
        )}
        {spec?.from?.kind === 'DockerImage' && (
          <>
            <dt>Pull from source</dt>
            <dd>
              <code class="pull-source">docker pull {spec.from.name}</code>
            </dd>
          </>
        )}
      </dl>
      {(status?.conditions ?? []).map((c) => (
        <p key={c.type} role="alert" class="error condition">
          <strong>{c.reason ?? c.type}</strong>: {c.message}{' '}
          <time dateTime={c.lastTransitionTime}>{ago(c.lastTransitionTime)}</time>
        </p>
      ))}
      {current && <Platforms namespace={ns} stream={name} digest={current.image} />}
      {(status?.items?.length ?? 0) > 0 && (
        <details>
          <summary>History ({status?.items?.length})</summary>
          <ol class="timeline">
            {status?.items?.map((item) => (
              <li key={`${item.image}-${item.generation}`}>
                <time dateTime={item.created}>{new Date(item.created).toLocaleString()}</time>{' '}
                <Link href={consolePath('ns', ns, 'streams', name, 'images', item.image)}>
                  <Digest value={item.image} />
                </Link>{' '}
                <span class="muted">{item.dockerImageReference}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
      {(importable || props.rights.removingTags) && (
        <div class="actions">
          {importable && (
            <>
              <button type="button" disabled={busy} onClick={() => void reimport(mode)}>
                Re-import now
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => void reimport(mode === 'Legacy' ? 'PreserveOriginal' : 'Legacy')}
              >
                Switch to {mode === 'Legacy' ? 'PreserveOriginal' : 'Legacy'}
              </button>
            </>
          )}
          {props.rights.removingTags && (
            <button type="button" class="danger" onClick={() => void removeTag()}>
              Remove tag
            </button>
          )}
        </div>
      )}
    </section>
  )
}

/** AddTagForm adds a spec tag pointing at another stream's tag or at an image, as `isctl tag` does. */
function AddTagForm(props: {
  namespace: string
  stream: string
  onNotice: (n: { ok: boolean; message: string }) => void
}) {
  const [input, setInput] = useState<TagInput>({
    stream: props.stream,
    kind: 'ImageStreamTag',
    source: '',
    tag: '',
  })
  const [problems, setProblems] = useState<ReturnType<typeof checkTag>>({})
  const [busy, setBusy] = useState(false)
  const set = <K extends keyof TagInput>(key: K, value: TagInput[K]) =>
    setInput((old) => ({ ...old, [key]: value }))
  const submit = async (e: Event) => {
    e.preventDefault()
    const trimmed = { ...input, source: input.source.trim(), tag: input.tag.trim() }
    const found = checkTag(trimmed)
    setProblems(found)
    if (Object.keys(found).length > 0) return
    setBusy(true)
    try {
      props.onNotice({ ok: true, message: await addTag(props.namespace, trimmed) })
      setInput((old) => ({ ...old, source: '', tag: '' }))
    } catch (err) {
      props.onNotice({ ok: false, message: messageOf(err) })
    } finally {
      setBusy(false)
    }
  }
  const field = (key: keyof TagInput) => ({
    id: `addtag-${key}`,
    'aria-invalid': problems[key] ? true : undefined,
    'aria-describedby': problems[key] ? `addtag-${key}-problem` : undefined,
  })
  const problem = (key: keyof TagInput) =>
    problems[key] && (
      <span id={`addtag-${key}-problem`} class="field-error">
        {problems[key]}
      </span>
    )
  return (
    <form class="card" aria-labelledby="addtag-heading" noValidate onSubmit={(e) => void submit(e)}>
      <h2 id="addtag-heading">Add a tag</h2>
      <label for="addtag-kind">Source kind</label>
      <select
        {...field('kind')}
        value={input.kind}
        onChange={(e) => set('kind', e.currentTarget.value as TagInput['kind'])}
      >
        {TAG_SOURCE_KINDS.map((k) => (
          <option key={k} value={k}>
            {k === 'ImageStreamTag'
              ? 'ImageStreamTag (a tag of a stream)'
              : 'DockerImage (an image)'}
          </option>
        ))}
      </select>
      <label for="addtag-source">Source</label>
      <input
        {...field('source')}
        placeholder={input.kind === 'ImageStreamTag' ? 'stream:tag' : 'quay.io/team/app:1.0'}
        value={input.source}
        onInput={(e) => set('source', e.currentTarget.value)}
      />
      {problem('source')}
      <label for="addtag-tag">New tag</label>
      <input
        {...field('tag')}
        value={input.tag}
        onInput={(e) => set('tag', e.currentTarget.value)}
      />
      {problem('tag')}
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add tag'}
      </button>
    </form>
  )
}

/** Platforms lists the manifests of a manifest list, or the one platform of an image. */
function Platforms(props: { namespace: string; stream: string; digest: string }) {
  const loaded = useLoad(
    () =>
      api<{ image: Image }>(
        'GET',
        `${IMAGE_API}/namespaces/${encodeURIComponent(props.namespace)}/imagestreamimages/${encodeURIComponent(`${props.stream}@${props.digest}`)}`,
      ),
    [props.namespace, props.stream, props.digest],
  )
  if (loaded.state !== 'ok') return <LoadStatus loaded={loaded} />
  const image = loaded.value.image
  // Attestations ride in the list as unknown/unknown entries: they are no platform.
  const all = image.dockerImageManifests ?? []
  const manifests = all.filter((m) => m.os !== 'unknown' || m.architecture !== 'unknown')
  const link = consolePath('ns', props.namespace, 'streams', props.stream, 'images', props.digest)
  if (all.length === 0) {
    const meta = image.dockerImageMetadata
    return (
      <p>
        Image{' '}
        <Link href={link}>
          {meta?.Os ?? '?'}/{meta?.Architecture ?? '?'}
        </Link>
      </p>
    )
  }
  return (
    <table class="platforms">
      <caption>
        Manifest list: <Link href={link}>{manifests.length} platforms</Link>
        {all.length > manifests.length && ` (and ${all.length - manifests.length} attestation)`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Platform</th>
          <th scope="col">Digest</th>
        </tr>
      </thead>
      <tbody>
        {manifests.map((m) => (
          <tr key={m.digest}>
            <td>{[m.os, m.architecture, m.variant].filter(Boolean).join('/')}</td>
            <td>
              <Digest value={m.digest} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
