/**
 * Name and key grammars with apimachinery's exact messages (util/validation/validation.go,
 * api/validation/path), plus OpenShift's image stream name rule (openshift-apiserver
 * image/validation ValidateImageStreamName) and the tag grammar. Each returns the problems as
 * text, empty when valid; validation.ts turns them into field errors.
 */
import { isValidTag } from '../reference/index.js'

/** DNS1123_LABEL_MAX_LENGTH is the longest RFC 1123 label (namespace names). */
export const DNS1123_LABEL_MAX_LENGTH = 63
/** DNS1123_SUBDOMAIN_MAX_LENGTH is the longest RFC 1123 subdomain (most object names). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253
/** IMAGE_STREAM_PATH_MAX_LENGTH bounds `namespace/name` of a stream (distribution NameTotalLengthMax). */
export const IMAGE_STREAM_PATH_MAX_LENGTH = 255

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`)
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`)
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`)
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
const QUALIFIED_NAME_MAX_LENGTH = 63
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`)
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
const LABEL_VALUE_MAX_LENGTH = 63
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+'
const CONFIG_KEY = new RegExp(`^${CONFIG_KEY_FMT}$`)
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*'
const ENV_VAR_NAME = new RegExp(`^${ENV_VAR_NAME_FMT}$`)
const ENV_VAR_NAME_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
// openshift-apiserver RepositoryNameComponentRegexp (distribution v2.1.1 names.go).
const STREAM_NAME_FMT = '[a-z0-9]+(?:[._-][a-z0-9]+)*'
const STREAM_NAME = new RegExp(`^${STREAM_NAME_FMT}$`)

/** regexError renders apimachinery's RegexError text, double space before "or" included. */
function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`
  const shown = examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('')
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`
}

const utf8 = new TextEncoder()

// Go's len() counts bytes. TextEncoder rather than Buffer: the web console runs these checks too.
function byteLength(value: string): number {
  return utf8.encode(value).length
}

/** checkDNS1123Label checks an RFC 1123 label such as a namespace name. */
export function checkDNS1123Label(value: string): string[] {
  const problems: string[] = []
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) {
    problems.push(maxLenError(DNS1123_LABEL_MAX_LENGTH))
  }
  if (!DNS1123_LABEL.test(value)) {
    problems.push(
      DNS1123_SUBDOMAIN.test(value)
        ? 'must not contain dots'
        : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'),
    )
  }
  return problems
}

/** checkDNS1123Subdomain checks an RFC 1123 subdomain such as a Secret or ServiceAccount name. */
export function checkDNS1123Subdomain(value: string): string[] {
  const problems: string[] = []
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    problems.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH))
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'))
  }
  return problems
}

// apimachinery maskTrailingDash: a generateName prefix may end in '-'.
function maskTrailingDash(name: string): string {
  return name.endsWith('-') ? `${name.slice(0, -1)}a` : name
}

/** NameValidator checks `metadata.name` (prefix=false) or `metadata.generateName` (prefix=true). */
export type NameValidator = (name: string, prefix: boolean) => string[]

/** nameIsDNSLabel is the NameValidator of namespaces. */
export const nameIsDNSLabel: NameValidator = (name, prefix) =>
  checkDNS1123Label(prefix ? maskTrailingDash(name) : name)

/** nameIsDNSSubdomain is the NameValidator of Secrets, ServiceAccounts and most kube kinds. */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  checkDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)

/** nameIsPathSegment is apimachinery ValidatePathSegmentName: a name usable as one URL path segment. */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  if (!prefix) {
    if (name === '.') return ["may not be '.'"]
    if (name === '..') return ["may not be '..'"]
  }
  const problems: string[] = []
  for (const illegal of ['/', '%']) {
    if (name.includes(illegal)) problems.push(`may not contain '${illegal}'`)
  }
  return problems
}

/** nameIsImageStreamName is OpenShift's ValidateImageStreamName: a path segment that is one repository path component. */
export const nameIsImageStreamName: NameValidator = (name, prefix) => {
  const problems = nameIsPathSegment(name, prefix)
  if (problems.length > 0) return problems
  // Ours: a generateName prefix may end in a separator, since a suffix follows (upstream
  // tests the prefix as a whole name and so refuses "app-").
  const candidate = prefix ? `${name}a` : name
  return STREAM_NAME.test(candidate) ? [] : [`must match ${JSON.stringify(STREAM_NAME_FMT)}`]
}

/** checkQualifiedName checks a label or annotation key: `[prefix/]name`, the prefix a DNS subdomain. */
export function checkQualifiedName(value: string): string[] {
  const parts = value.split('/')
  const problems: string[] = []
  let name: string
  if (parts.length === 1) {
    name = value
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? ''
    name = parts[1] ?? ''
    if (prefix === '') {
      problems.push('prefix part must be non-empty')
    } else {
      problems.push(...checkDNS1123Subdomain(prefix).map((p) => `prefix part ${p}`))
    }
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]
  }
  if (name === '') {
    problems.push('name part must be non-empty')
  } else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) {
    problems.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`)
  }
  if (!QUALIFIED_NAME.test(name)) {
    problems.push(
      `name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    )
  }
  return problems
}

/** checkLabelValue checks a label value: empty, or up to 63 alphanumerics, '-', '_', '.'. */
export function checkLabelValue(value: string): string[] {
  const problems: string[] = []
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) {
    problems.push(maxLenError(LABEL_VALUE_MAX_LENGTH))
  }
  if (!LABEL_VALUE.test(value)) {
    problems.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'))
  }
  return problems
}

/** checkConfigMapKey checks a Secret data key (kube IsConfigMapKey). */
export function checkConfigMapKey(value: string): string[] {
  const problems: string[] = []
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    problems.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH))
  }
  if (!CONFIG_KEY.test(value)) {
    problems.push(regexError(CONFIG_KEY_MSG, CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'))
  }
  return [...problems, ...chdirPrefixProblems(value)]
}

/** checkEnvVarName checks an environment variable name, as env files name keys (kube IsEnvVarName). */
export function checkEnvVarName(value: string): string[] {
  const problems = ENV_VAR_NAME.test(value)
    ? []
    : [regexError(ENV_VAR_NAME_MSG, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')]
  return [...problems, ...chdirPrefixProblems(value)]
}

/** A key that would name the current or parent directory when projected into a volume (kube hasChDirPrefix). */
function chdirPrefixProblems(value: string): string[] {
  if (value === '.') return ["must not be '.'"]
  if (value === '..') return ["must not be '..'"]
  if (value.startsWith('..')) return ["must not start with '..'"]
  return []
}

/** checkTagName checks an image tag: 1-128 of `[A-Za-z0-9_.-]`, not starting with '.' or '-' (the oc and distribution grammar). */
export function checkTagName(value: string): string[] {
  return isValidTag(value)
    ? []
    : [
        "a tag must be 1-128 letters, digits, '_', '.' or '-' and may not start with '.' or '-' (regex used for validation is '[\\w][\\w.-]{0,127}')",
      ]
}
