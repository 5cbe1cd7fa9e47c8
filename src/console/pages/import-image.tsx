/** The import-image form: the fields of `isctl import-image`, checked as the CLI checks them. */
import { useState } from 'preact/hooks'
import { IMPORT_MODES } from '../../api/constants.js'
import { checkImport, importImage, type ImportInput } from '../imports.js'
import { consolePath, Link, navigate } from '../router.js'
import { messageOf, Page } from '../ui.js'

/** ImportImagePage imports one image into a stream of `namespace`. */
export function ImportImagePage(props: { namespace: string; stream?: string }) {
  const ns = props.namespace
  const [input, setInput] = useState<ImportInput>({
    stream: props.stream ?? '',
    from: '',
    tag: 'latest',
    importMode: 'Legacy',
    referencePolicy: 'Source',
    scheduled: false,
    insecure: false,
  })
  const [problems, setProblems] = useState<ReturnType<typeof checkImport>>({})
  const [failure, setFailure] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const set = <K extends keyof ImportInput>(key: K, value: ImportInput[K]) =>
    setInput((old) => ({ ...old, [key]: value }))
  const submit = async (e: Event) => {
    e.preventDefault()
    const trimmed = {
      ...input,
      from: input.from.trim(),
      stream: input.stream.trim(),
      tag: input.tag.trim(),
    }
    const found = checkImport(trimmed)
    setProblems(found)
    setFailure(undefined)
    if (Object.keys(found).length > 0) return
    setBusy(true)
    try {
      const outcome = await importImage(ns, trimmed)
      if (outcome.ok) navigate(consolePath('ns', ns, 'streams', trimmed.stream))
      else setFailure(outcome.message)
    } catch (err) {
      setFailure(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  const field = (key: keyof ImportInput) => ({
    id: `import-${key}`,
    'aria-invalid': problems[key] ? true : undefined,
    'aria-describedby': problems[key] ? `import-${key}-problem` : undefined,
  })
  const problem = (key: keyof ImportInput) =>
    problems[key] && (
      <span id={`import-${key}-problem`} class="field-error">
        {problems[key]}
      </span>
    )
  return (
    <Page title="Import an image">
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/console/">Projects</Link> / <Link href={consolePath('ns', ns)}>{ns}</Link> /
        import
      </nav>
      <form class="card" noValidate onSubmit={(e) => void submit(e)}>
        <label for="import-from">From (image to import)</label>
        <input
          {...field('from')}
          placeholder="registry.example.com/team/app:1.0"
          value={input.from}
          onInput={(e) => set('from', e.currentTarget.value)}
        />
        {problem('from')}
        <label for="import-stream">Image stream</label>
        <input
          {...field('stream')}
          value={input.stream}
          onInput={(e) => set('stream', e.currentTarget.value)}
        />
        {problem('stream')}
        <label for="import-tag">Tag</label>
        <input
          {...field('tag')}
          value={input.tag}
          onInput={(e) => set('tag', e.currentTarget.value)}
        />
        {problem('tag')}
        <label for="import-importMode">Import mode</label>
        <select
          {...field('importMode')}
          value={input.importMode}
          onChange={(e) => set('importMode', e.currentTarget.value)}
        >
          {IMPORT_MODES.map((m) => (
            <option key={m} value={m}>
              {m === 'Legacy' ? 'Legacy (one platform)' : 'PreserveOriginal (every platform)'}
            </option>
          ))}
        </select>
        {problem('importMode')}
        <label for="import-referencePolicy">Reference policy</label>
        <select
          {...field('referencePolicy')}
          value={input.referencePolicy}
          onChange={(e) => set('referencePolicy', e.currentTarget.value)}
        >
          <option value="Source">Source (pull from the source registry)</option>
          <option value="Local">Local (pull through this server)</option>
        </select>
        {problem('referencePolicy')}
        <label class="check">
          <input
            type="checkbox"
            checked={input.scheduled}
            onChange={(e) => set('scheduled', e.currentTarget.checked)}
          />
          Scheduled: check the source periodically for a new image
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={input.insecure}
            onChange={(e) => set('insecure', e.currentTarget.checked)}
          />
          Insecure: allow HTTP and unverified TLS for this registry
        </label>
        {failure && (
          <p role="alert" class="error">
            {failure}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
    </Page>
  )
}
