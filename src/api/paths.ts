/**
 * The URL paths of the collections that have no entry in resource-meta.ts, and the project
 * annotations, shared by the server that serves them and the CLI that calls them. Plain strings: the CLI loads this
 * module without typebox.
 */

/** PROJECT_GROUP is OpenShift's project API group. */
export const PROJECT_GROUP = 'project.openshift.io'
/** PROJECT_API_VERSION is the project kinds' apiVersion. */
export const PROJECT_API_VERSION = `${PROJECT_GROUP}/v1`
/** PROJECT_API_PATH is the project group version's root. */
export const PROJECT_API_PATH = `/apis/${PROJECT_API_VERSION}`
/** PROJECT_ANNOTATIONS are the annotations OpenShift keeps on a requested project's namespace. */
export const PROJECT_ANNOTATIONS = {
  description: 'openshift.io/description',
  displayName: 'openshift.io/display-name',
  requester: 'openshift.io/requester',
} as const
/** PROJECTS_PATH is the projects collection. */
export const PROJECTS_PATH = `${PROJECT_API_PATH}/projects`
/** PROJECT_REQUESTS_PATH is where projects are requested, and asked whether one may. */
export const PROJECT_REQUESTS_PATH = `${PROJECT_API_PATH}/projectrequests`
/** SELF_SUBJECT_REVIEW_PATH is where a client asks who its credentials belong to (`oc whoami`). */
export const SELF_SUBJECT_REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews'
/** OAUTH_ACCESS_TOKENS_PATH is the OAuth access tokens collection (`oc logout` deletes one). */
export const OAUTH_ACCESS_TOKENS_PATH = '/apis/oauth.openshift.io/v1/oauthaccesstokens'
/** USER_GROUP is OpenShift's user API group (users, groups). */
export const USER_GROUP = 'user.openshift.io'
/** USER_API_VERSION is the user kinds' apiVersion. */
export const USER_API_VERSION = `${USER_GROUP}/v1`
/** USER_API_PATH is the user group version's root. */
export const USER_API_PATH = `/apis/${USER_API_VERSION}`
/** AUTHORIZATION_GROUP is OpenShift's authorization API group (the resource access reviews). */
export const AUTHORIZATION_GROUP = 'authorization.openshift.io'
/** AUTHORIZATION_API_VERSION is the resource access reviews' apiVersion. */
export const AUTHORIZATION_API_VERSION = `${AUTHORIZATION_GROUP}/v1`
/** AUTHORIZATION_API_PATH is the authorization group version's root. */
export const AUTHORIZATION_API_PATH = `/apis/${AUTHORIZATION_API_VERSION}`
