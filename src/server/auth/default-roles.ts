/**
 * The default cluster roles and bindings, as Kubernetes' bootstrap policy
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) and OpenShift's (openshift/origin
 * pkg/cmd/server/bootstrappolicy, the image rules of its aggregate-to-admin/edit/view roles)
 * define them for the resources this server has; docs/access-control.md lists them. OpenShift's
 * legacy (group "") copies of the image rules are left out: that group serves no image kinds here.
 */
import {
  IMAGE_GROUP,
  RBAC_GROUP,
  type ClusterRole,
  type ClusterRoleBinding,
  type PolicyRule,
  type RoleBinding,
  type Subject,
} from '../../api/index.js'

/** AUTOUPDATE_ANNOTATION set to "false" keeps reconciliation away from a default role or binding. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate'

const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' }

const READ = ['get', 'list', 'watch']
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update']
const READ_WRITE = [...READ, ...WRITE]

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
})

const IMAGE_VIEWS = [
  'imagestreamimages',
  'imagestreammappings',
  'imagestreams',
  'imagestreamtags',
  'imagetags',
]

/**
 * What OpenShift's view role has on images (aggregate-to-view), and this server's schedule view.
 * Not `imagestreams/layers`: viewers do not pull (OpenShift leaves that rule out).
 */
const IMAGE_READ: PolicyRule[] = [
  rule(READ, [IMAGE_GROUP], IMAGE_VIEWS),
  rule(READ, [IMAGE_GROUP], ['imagestreams/status']),
  rule(['get'], [IMAGE_GROUP], ['imagestreams/schedule']),
]

/** What OpenShift's edit and admin roles have on images (aggregate-to-edit, aggregate-to-admin). */
const IMAGE_WRITE: PolicyRule[] = [
  rule(READ_WRITE, [IMAGE_GROUP], [...IMAGE_VIEWS, 'imagestreams/secrets']),
  rule(READ, [IMAGE_GROUP], ['imagestreams/status']),
  rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
  rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
  rule(['get'], [IMAGE_GROUP], ['imagestreams/schedule']),
]

/** Kubernetes' view role, for the core kinds served here: secrets are not readable. */
const CORE_READ: PolicyRule[] = [
  rule(READ, [''], ['serviceaccounts', 'events', 'namespaces', 'namespaces/status']),
  rule(READ, [''], ['limitranges', 'resourcequotas']),
  rule(READ, ['events.k8s.io'], ['events']),
]

/** Kubernetes' edit role for the core kinds served here: secrets and service accounts read and written. */
const CORE_WRITE: PolicyRule[] = [
  rule(WRITE, [''], ['secrets', 'serviceaccounts']),
  rule(READ, [''], ['secrets']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(['create'], [''], ['serviceaccounts/token']),
]

/** OpenShift's project rules: admins manage their project, edit and view read it. */
const PROJECT_ADMIN = rule(
  ['delete', 'get', 'patch', 'update'],
  ['project.openshift.io'],
  ['projects'],
)
// OpenShift's admin and registry-admin may ask who can act in their project (oc policy who-can).
const LOCAL_REVIEWS = rule(
  ['create'],
  ['authorization.openshift.io'],
  ['localresourceaccessreviews'],
)

const PROJECT_READ = rule(['get'], ['project.openshift.io'], ['projects'])

/** BASIC_USER_RULES are system:basic-user's: ask who one is and what one may do. */
export const BASIC_USER_RULES: PolicyRule[] = [
  rule(
    ['create'],
    ['authorization.k8s.io'],
    ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  ),
  rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  // OpenShift's basic-user: who am I (`oc whoami` reads users/~).
  { verbs: ['get'], apiGroups: ['user.openshift.io'], resources: ['users'], resourceNames: ['~'] },
  // OpenShift's system:oauth-token-deleter: `oc logout` deletes its own token by its hashed
  // name, which only its holder can compute.
  rule(['delete'], ['oauth.openshift.io'], ['oauthaccesstokens']),
]

/**
 * DISCOVERY_RULES are system:discovery's and system:public-info-viewer's in one: read
 * discovery, OpenAPI, version and health, with their sub-paths (the health checks' named checks).
 */
export const DISCOVERY_RULES: PolicyRule[] = [
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/apis',
      '/healthz',
      '/livez',
      '/openapi',
      '/readyz',
      '/version',
    ].flatMap((p) => [p, `${p}/*`]),
  },
]

const clusterRole = (name: string, rules: PolicyRule[], description?: string): ClusterRole => ({
  kind: 'ClusterRole',
  apiVersion: `${RBAC_GROUP}/v1`,
  metadata: {
    name,
    labels: BOOTSTRAP_LABELS,
    annotations: {
      [AUTOUPDATE_ANNOTATION]: 'true',
      ...(description === undefined ? {} : { 'openshift.io/description': description }),
    },
  },
  rules,
})

/** DEFAULT_CLUSTER_ROLES are made and kept up to date on every start (reconcile.ts). */
export const DEFAULT_CLUSTER_ROLES: readonly ClusterRole[] = [
  clusterRole('cluster-admin', [
    rule(['*'], ['*'], ['*']),
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ]),
  clusterRole(
    'admin',
    [
      ...IMAGE_WRITE,
      ...CORE_WRITE,
      ...CORE_READ,
      rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']),
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      LOCAL_REVIEWS,
      PROJECT_ADMIN,
    ],
    "A user that has edit rights within the project and can change the project's membership.",
  ),
  clusterRole(
    'edit',
    [...IMAGE_WRITE, ...CORE_WRITE, ...CORE_READ, PROJECT_READ],
    "A user that can create and edit most objects in a project, but can not update the project's membership.",
  ),
  clusterRole(
    'view',
    [...IMAGE_READ, ...CORE_READ, PROJECT_READ],
    'A user who can view but not edit any resources within the project. They can not view secrets or membership.',
  ),
  clusterRole('system:basic-user', BASIC_USER_RULES),
  clusterRole('system:discovery', DISCOVERY_RULES),
  // Kubernetes' service account issuer discovery, for those who verify tokens offline.
  clusterRole('system:service-account-issuer-discovery', [
    { verbs: ['get'], nonResourceURLs: ['/.well-known/openid-configuration', '/openid/v1/jwks'] },
  ]),
  clusterRole(
    'basic-user',
    [
      rule(READ, [RBAC_GROUP], ['clusterroles']),
      rule(['list', 'watch'], ['project.openshift.io'], ['projects']),
      rule(['list'], ['project.openshift.io'], ['projectrequests']),
      rule(
        ['create'],
        ['authorization.k8s.io'],
        ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      ),
    ],
    'A user that can get basic information about projects.',
  ),
  clusterRole(
    'self-provisioner',
    [rule(['create'], ['project.openshift.io'], ['projectrequests'])],
    'A user that can request projects.',
  ),
  clusterRole(
    'system:image-puller',
    [rule(['get'], [IMAGE_GROUP], ['imagestreams/layers'])],
    'Grants the right to pull images from within a project.',
  ),
  clusterRole(
    'system:image-pusher',
    [rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers'])],
    'Grants the right to push and pull images from within a project.',
  ),
  clusterRole(
    'system:image-pruner',
    [
      rule(['get', 'list'], [''], ['pods', 'replicationcontrollers']),
      rule(['list'], [''], ['limitranges']),
      rule(['get', 'list'], ['build.openshift.io'], ['buildconfigs', 'builds']),
      rule(['get', 'list'], ['apps.openshift.io'], ['deploymentconfigs']),
      rule(['get', 'list'], ['apps', 'extensions'], ['daemonsets', 'deployments', 'replicasets']),
      rule(['get', 'list'], ['apps'], ['statefulsets']),
      rule(['get', 'list'], ['batch'], ['jobs', 'cronjobs']),
      rule(['delete'], [IMAGE_GROUP], ['images']),
      rule(READ, [IMAGE_GROUP], ['images', 'imagestreams']),
      rule(['update'], [IMAGE_GROUP], ['imagestreams/status']),
    ],
    'Grants the right to prune images.',
  ),
  clusterRole(
    'registry-viewer',
    [
      rule(READ, [IMAGE_GROUP], IMAGE_VIEWS),
      rule(['get'], [IMAGE_GROUP], ['imagestreams/layers']),
      rule(['get'], [''], ['namespaces']),
    ],
    'A user who can browse and pull images from the internal registry.',
  ),
  clusterRole(
    'registry-editor',
    [
      rule(READ_WRITE, [''], ['serviceaccounts', 'secrets']),
      rule(READ_WRITE, [IMAGE_GROUP], [...IMAGE_VIEWS, 'imagestreams/secrets']),
      rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
      rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
      rule(['get'], [''], ['namespaces']),
    ],
    'A user who can push images to and pull images from the internal registry.',
  ),
  clusterRole(
    'registry-admin',
    [
      rule(READ_WRITE, [''], ['serviceaccounts', 'secrets']),
      rule(READ_WRITE, [IMAGE_GROUP], [...IMAGE_VIEWS, 'imagestreams/secrets']),
      rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
      rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
      rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']),
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      LOCAL_REVIEWS,
      rule(['get'], [''], ['namespaces']),
    ],
    "A user who can manage images in the internal registry and the project's membership.",
  ),
]

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name })

const clusterBinding = (name: string, role: string, subjects: Subject[]): ClusterRoleBinding => ({
  kind: 'ClusterRoleBinding',
  apiVersion: `${RBAC_GROUP}/v1`,
  metadata: {
    name,
    labels: BOOTSTRAP_LABELS,
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  },
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
  subjects,
})

/** DEFAULT_CLUSTER_ROLE_BINDINGS are made and kept up to date on every start. */
export const DEFAULT_CLUSTER_ROLE_BINDINGS: readonly ClusterRoleBinding[] = [
  clusterBinding('cluster-admin', 'cluster-admin', [group('system:masters')]),
  clusterBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
  clusterBinding('system:discovery', 'system:discovery', [group('system:authenticated')]),
  clusterBinding(
    'system:service-account-issuer-discovery',
    'system:service-account-issuer-discovery',
    [group('system:serviceaccounts')],
  ),
  clusterBinding('basic-users', 'basic-user', [group('system:authenticated')]),
  clusterBinding('self-provisioners', 'self-provisioner', [group('system:authenticated:oauth')]),
]

/** IMAGE_PULLERS_BINDING is the RoleBinding every namespace gets. */
export const IMAGE_PULLERS_BINDING = 'system:image-pullers'

/**
 * imagePullersBinding lets every service account of a namespace pull its images, as OpenShift's
 * default role bindings controller does for each new project.
 */
export function imagePullersBinding(namespace: string): RoleBinding {
  return {
    kind: 'RoleBinding',
    apiVersion: `${RBAC_GROUP}/v1`,
    metadata: {
      name: IMAGE_PULLERS_BINDING,
      namespace,
      annotations: {
        'openshift.io/description':
          'Allows all pods in this namespace to pull images from this namespace.  It is auto-managed by a controller; remove subjects to disable.',
      },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'system:image-puller' },
    subjects: [group(`system:serviceaccounts:${namespace}`)],
  }
}
