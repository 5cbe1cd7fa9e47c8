/** The projects the user may see, as the server's project list filters them. */
import { api, type KubeList, type KubeObject } from '../api.js'
import { consolePath, Link } from '../router.js'
import { LoadStatus, Page, useLoad } from '../ui.js'

/** ProjectsPage lists the user's projects, each linking to its streams. */
export function ProjectsPage() {
  const loaded = useLoad(
    () => api<KubeList<KubeObject>>('GET', '/apis/project.openshift.io/v1/projects'),
    [],
  )
  return (
    <Page title="Projects">
      <LoadStatus loaded={loaded} />
      {loaded.state === 'ok' &&
        (loaded.value.items.length === 0 ? (
          <p>You have no projects yet. Ask an administrator for access to one.</p>
        ) : (
          <ul class="list">
            {loaded.value.items.map((p) => (
              <li key={p.metadata.name}>
                <Link href={consolePath('ns', p.metadata.name)}>{p.metadata.name}</Link>
              </li>
            ))}
          </ul>
        ))}
    </Page>
  )
}
