import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { NameValidator } from './names.js'
import {
  checkConfigMapKey,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkEnvVarName,
  checkLabelValue,
  checkQualifiedName,
  checkTagName,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsImageStreamName,
  nameIsPathSegment,
} from './names.js'

// apimachinery's texts, verbatim (RegexError puts two spaces before "or").
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const QNAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
const ENV_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
const STREAM_MSG = 'must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'

interface Row {
  readonly check: string
  readonly input: string
  /** Exact problems; [] means valid. */
  readonly want: readonly string[]
}

const checks: Record<string, (value: string) => string[]> = {
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkQualifiedName,
  checkLabelValue,
  checkConfigMapKey,
  checkEnvVarName,
  checkTagName,
}

const rows: readonly Row[] = [
  { check: 'checkEnvVarName', input: 'MY_ENV.name-1', want: [] },
  { check: 'checkEnvVarName', input: '1ST', want: [ENV_MSG] },
  { check: 'checkEnvVarName', input: '..env', want: ["must not start with '..'"] },
  { check: 'checkDNS1123Label', input: 'team-a', want: [] },
  { check: 'checkDNS1123Label', input: 'Team_A', want: [LABEL_MSG] },
  { check: 'checkDNS1123Label', input: 'team.a', want: ['must not contain dots'] },
  {
    check: 'checkDNS1123Label',
    input: 'a'.repeat(64),
    want: ['must be no more than 63 characters'],
  },
  { check: 'checkDNS1123Subdomain', input: 'pull.secret-1', want: [] },
  { check: 'checkDNS1123Subdomain', input: 'Bad_Name', want: [SUBDOMAIN_MSG] },
  {
    check: 'checkDNS1123Subdomain',
    input: 'a'.repeat(254),
    want: ['must be no more than 253 characters'],
  },
  { check: 'checkQualifiedName', input: 'app.kubernetes.io/part-of', want: [] },
  { check: 'checkQualifiedName', input: 'MyName', want: [] },
  { check: 'checkQualifiedName', input: 'bad key', want: [QNAME_MSG] },
  { check: 'checkQualifiedName', input: '/name', want: ['prefix part must be non-empty'] },
  {
    check: 'checkQualifiedName',
    input: 'Example.com/name',
    want: [`prefix part ${SUBDOMAIN_MSG}`],
  },
  {
    check: 'checkQualifiedName',
    input: 'a/b/c',
    want: [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    check: 'checkQualifiedName',
    input: 'example.com/',
    want: ['name part must be non-empty', QNAME_MSG],
  },
  {
    check: 'checkQualifiedName',
    input: 'a'.repeat(64),
    want: ['name part must be no more than 63 characters'],
  },
  { check: 'checkLabelValue', input: '', want: [] },
  { check: 'checkLabelValue', input: 'shop', want: [] },
  { check: 'checkLabelValue', input: 'a b', want: [LABEL_VALUE_MSG] },
  {
    check: 'checkLabelValue',
    input: 'a'.repeat(64),
    want: ['must be no more than 63 characters'],
  },
  { check: 'checkConfigMapKey', input: '.dockerconfigjson', want: [] },
  { check: 'checkConfigMapKey', input: 'tls.crt', want: [] },
  { check: 'checkConfigMapKey', input: 'bad key', want: [KEY_MSG] },
  { check: 'checkConfigMapKey', input: '..', want: ["must not be '..'"] },
  { check: 'checkConfigMapKey', input: '..data', want: ["must not start with '..'"] },
  { check: 'checkTagName', input: '1.4', want: [] },
  { check: 'checkTagName', input: 'latest', want: [] },
  {
    check: 'checkTagName',
    input: '.hidden',
    want: [
      "a tag must be 1-128 letters, digits, '_', '.' or '-' and may not start with '.' or '-' (regex used for validation is '[\\w][\\w.-]{0,127}')",
    ],
  },
  { check: 'checkTagName', input: 'a'.repeat(129), want: checkTagName('.') },
]

describe('name and key checks (apimachinery texts)', () => {
  for (const row of rows) {
    it(`${row.check}(${JSON.stringify(row.input.slice(0, 40))})`, () => {
      assert.deepEqual(checks[row.check]!(row.input), row.want)
    })
  }
})

interface NameRow {
  readonly validator: string
  readonly name: string
  readonly prefix: boolean
  readonly want: readonly string[]
}

const validators: Record<string, NameValidator> = {
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  nameIsImageStreamName,
}

const nameRows: readonly NameRow[] = [
  { validator: 'nameIsDNSLabel', name: 'team-', prefix: true, want: [] },
  { validator: 'nameIsDNSLabel', name: 'team-', prefix: false, want: [LABEL_MSG] },
  { validator: 'nameIsDNSSubdomain', name: 'pull-', prefix: true, want: [] },
  { validator: 'nameIsPathSegment', name: 'sha256:abc', prefix: false, want: [] },
  { validator: 'nameIsPathSegment', name: '..', prefix: false, want: ["may not be '..'"] },
  { validator: 'nameIsPathSegment', name: '.', prefix: false, want: ["may not be '.'"] },
  {
    validator: 'nameIsPathSegment',
    name: 'a/b%c',
    prefix: false,
    want: ["may not contain '/'", "may not contain '%'"],
  },
  { validator: 'nameIsImageStreamName', name: 'app', prefix: false, want: [] },
  { validator: 'nameIsImageStreamName', name: 'app.v2_x-y', prefix: false, want: [] },
  { validator: 'nameIsImageStreamName', name: 'Bad_Name', prefix: false, want: [STREAM_MSG] },
  { validator: 'nameIsImageStreamName', name: 'a..b', prefix: false, want: [STREAM_MSG] },
  { validator: 'nameIsImageStreamName', name: '..', prefix: false, want: ["may not be '..'"] },
  { validator: 'nameIsImageStreamName', name: 'app-', prefix: true, want: [] },
  { validator: 'nameIsImageStreamName', name: 'app-', prefix: false, want: [STREAM_MSG] },
]

describe('name validators (metadata.name and generateName)', () => {
  for (const row of nameRows) {
    it(`${row.validator}(${JSON.stringify(row.name)}, prefix=${row.prefix})`, () => {
      assert.deepEqual(validators[row.validator]!(row.name, row.prefix), row.want)
    })
  }
})
