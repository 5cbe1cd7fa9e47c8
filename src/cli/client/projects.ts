/**
 * The projects a user may see, read through project.openshift.io as oc reads them
 * (oc pkg/cli/project: GetProjects, ConfirmProjectAccess).
 */
import { PROJECT_ANNOTATIONS, PROJECTS_PATH, PROJECT_REQUESTS_PATH } from '../../api/paths.js'
import type { ApiClient } from './api-client.js'
import { ApiError } from './api-errors.js'

export { PROJECTS_PATH, PROJECT_REQUESTS_PATH }

/** ProjectSummary is what the project verbs print of a project. */
export interface ProjectSummary {
  readonly name: string
  /** `openshift.io/display-name`, else the older `displayName` annotation; '' when neither. */
  readonly displayName: string
}

interface ProjectJson {
  readonly metadata?: { readonly name?: string; readonly annotations?: Record<string, string> }
}

/** listProjects reads the projects the caller may see, sorted by name. */
export async function listProjects(client: ApiClient): Promise<ProjectSummary[]> {
  const list = await client.request<{ items?: ProjectJson[] }>('GET', PROJECTS_PATH)
  return (list.items ?? [])
    .map((p) => ({
      name: p.metadata?.name ?? '',
      displayName:
        p.metadata?.annotations?.[PROJECT_ANNOTATIONS.displayName] ??
        p.metadata?.annotations?.displayName ??
        '',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** projectAccess reads one project: undefined when the caller may see it, else the 403 or 404. */
export async function projectAccess(
  client: ApiClient,
  name: string,
): Promise<ApiError | undefined> {
  try {
    await client.request('GET', `${PROJECTS_PATH}/${encodeURIComponent(name)}`)
    return undefined
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return err
    throw err
  }
}
