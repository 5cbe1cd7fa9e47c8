import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { decodeKubernetesProtobuf, PROTOBUF_LIMITS, UnsupportedProtobufError } from './index.js'
import { jsonDepth } from './message.js'
import { bytes, entry, envelope, MAGIC, msg, num, tag, time, varint } from './testing/encoder.js'

// --- Real kubectl bodies -----------------------------------------------------------------------

interface Fixture {
  readonly name: string
  readonly command: string
  readonly path: string
  readonly protobufHex: string
  readonly json: string
}
const fixtures = JSON.parse(
  readFileSync(new URL('./testdata/kubectl-bodies.json', import.meta.url), 'utf8'),
) as { readonly protobufClient: string; readonly jsonClient: string; readonly cases: Fixture[] }

void describe('decodeKubernetesProtobuf: kubectl 1.32 protobuf equals kubectl 1.31 JSON', () => {
  for (const f of fixtures.cases) {
    void it(f.command, () => {
      const decoded = decodeKubernetesProtobuf(Buffer.from(f.protobufHex, 'hex'))
      // Byte-identical, key order included: the decoder writes what encoding/json writes.
      assert.equal(JSON.stringify(decoded), f.json)
    })
  }
})

// --- Every field the schemas know --------------------------------------------------------------

const fullMeta = Buffer.concat([
  bytes(1, 'n'),
  bytes(2, 'gen-'),
  bytes(3, 'ns1'),
  bytes(4, '/self'),
  bytes(5, 'uid-1'),
  bytes(6, '42'),
  num(7, 7),
  time(8, 1_700_000_000, 123), // nanos are dropped, as Go does
  time(9, 1_700_000_060),
  num(10, -1), // *int64: a ten-byte negative varint
  entry(11, 'app', 'old'),
  entry(11, 'app', 'web'), // the last entry for a key wins
  entry(11, 'tier', ''),
  entry(12, 'note', 'x'),
  msg(
    13,
    bytes(5, 'v1'),
    bytes(1, 'ConfigMap'),
    bytes(3, 'owner'),
    bytes(4, 'u-2'),
    num(6, 1),
    num(7, 0),
  ),
  msg(13), // an empty reference still writes the four fields Go has no omitempty on
  bytes(14, 'example.com/f'),
  bytes(14, ''),
  msg(
    17,
    bytes(1, 'kubectl'),
    bytes(2, 'Update'),
    bytes(3, 'v1'),
    time(4, 0),
    bytes(6, 'FieldsV1'),
    msg(7, bytes(1, '{"f:data":{".":{},"f:a":{}}}')),
    bytes(8, ''),
  ),
])

const decodes: readonly (readonly [string, Buffer, Record<string, unknown>])[] = [
  [
    'Secret with every ObjectMeta field',
    envelope(
      'v1',
      'Secret',
      Buffer.concat([
        msg(1, fullMeta),
        num(5, 0),
        entry(2, 'bin', Buffer.from([0, 0xff, 0xfe])),
        entry(2, 'empty', ''),
        entry(4, 'plain', 'text'),
        bytes(3, 'Opaque'),
      ]),
    ),
    {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: {
        name: 'n',
        generateName: 'gen-',
        namespace: 'ns1',
        selfLink: '/self',
        uid: 'uid-1',
        resourceVersion: '42',
        generation: 7,
        creationTimestamp: '2023-11-14T22:13:20Z',
        deletionTimestamp: '2023-11-14T22:14:20Z',
        deletionGracePeriodSeconds: -1,
        labels: { app: 'web', tier: '' },
        annotations: { note: 'x' },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'owner',
            uid: 'u-2',
            controller: true,
            blockOwnerDeletion: false,
          },
          { apiVersion: '', kind: '', name: '', uid: '' },
        ],
        finalizers: ['example.com/f', ''],
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'v1',
            time: '1970-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
          },
        ],
      },
      immutable: false,
      data: { bin: 'AP/+', empty: '' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    },
  ],
  [
    'ServiceAccount with secrets, imagePullSecrets and automount',
    envelope(
      'v1',
      'ServiceAccount',
      Buffer.concat([
        msg(1, bytes(1, 'builder'), bytes(3, 'ns1')),
        msg(
          2,
          bytes(1, 'Secret'),
          bytes(2, 'ns1'),
          bytes(3, 'tok'),
          bytes(4, 'u'),
          bytes(5, 'v1'),
          bytes(6, '9'),
          bytes(7, 'data'),
        ),
        msg(2, bytes(3, 'other'), bytes(1, '')),
        msg(3, bytes(1, 'pull')),
        msg(3),
        num(4, 0),
      ]),
    ),
    {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'builder', namespace: 'ns1', creationTimestamp: null },
      secrets: [
        {
          kind: 'Secret',
          namespace: 'ns1',
          name: 'tok',
          uid: 'u',
          apiVersion: 'v1',
          resourceVersion: '9',
          fieldPath: 'data',
        },
        { name: 'other' },
      ],
      imagePullSecrets: [{ name: 'pull' }, {}],
      automountServiceAccountToken: false,
    },
  ],
  [
    'Namespace with spec.finalizers and status',
    envelope(
      'v1',
      'Namespace',
      Buffer.concat([
        msg(1, bytes(1, 'team-a')),
        msg(2, bytes(1, 'kubernetes')),
        msg(
          3,
          bytes(1, 'Active'),
          msg(2, bytes(1, 'NamespaceContentRemaining'), bytes(2, 'False'), bytes(5, 'R')),
        ),
      ]),
    ),
    {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Active',
        conditions: [
          {
            type: 'NamespaceContentRemaining',
            status: 'False',
            lastTransitionTime: null,
            reason: 'R',
          },
        ],
      },
    },
  ],
  [
    'zero values on the wire are unset (Go zero time included)',
    envelope(
      'v1',
      'Secret',
      Buffer.concat([
        msg(
          1,
          bytes(1, 'z'),
          bytes(2, ''),
          bytes(3, ''),
          num(7, 0),
          time(8, -62_135_596_800),
          msg(9), // a *Time that was sent empty is still sent: Go writes null
        ),
        bytes(3, ''),
      ]),
    ),
    {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'z', creationTimestamp: null, deletionTimestamp: null },
    },
  ],
  [
    'an empty object still has metadata, as Go writes it',
    envelope('v1', 'Namespace', Buffer.alloc(0)),
    {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { creationTimestamp: null },
      spec: {},
      status: {},
    },
  ],
  [
    'protobuf merge rules: singular messages merge, the last scalar wins',
    envelope(
      'v1',
      'Secret',
      Buffer.concat([
        msg(1, bytes(1, 'first'), bytes(3, 'ns1')),
        bytes(3, 'a'),
        msg(1, bytes(1, 'second')),
        bytes(3, 'b'),
        num(5, 1),
        num(5, 0),
      ]),
    ),
    {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'second', namespace: 'ns1', creationTimestamp: null },
      immutable: false,
      type: 'b',
    },
  ],
  [
    'unknown fields of every wire type are skipped, at every level',
    Buffer.concat([
      MAGIC,
      num(9, 1),
      msg(1, bytes(1, 'v1'), bytes(2, 'Secret'), Buffer.from([0x1d, 1, 2, 3, 4])),
      bytes(2, Buffer.concat([msg(1, bytes(1, 's'), num(99, 5), bytes(16, 'x')), bytes(50, 'y')])),
      Buffer.concat([tag(8, 1), Buffer.alloc(8)]),
      bytes(4, 'application/vnd.kubernetes.protobuf'),
    ]),
    { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null } },
  ],
  [
    'a "__proto__" map key stays an own property',
    envelope('v1', 'Secret', msg(1, entry(11, '__proto__', 'x'))),
    {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: {
        creationTimestamp: null,
        labels: Object.fromEntries([['__proto__', 'x']]) as Record<string, string>,
      },
    },
  ],
  [
    'a SubjectAccessReview: user, groups, extra (string lists, the last entry of a key wins) and uid',
    envelope(
      'authorization.k8s.io/v1',
      'SubjectAccessReview',
      Buffer.concat([
        msg(1),
        msg(
          2,
          msg(1, bytes(1, 'ns'), bytes(2, 'get'), bytes(5, 'imagestreams')),
          bytes(3, 'alice'),
          bytes(4, 'devs'),
          bytes(4, 'ops'),
          entry(5, 'scopes', Buffer.concat([bytes(1, 'old')])),
          entry(5, 'scopes', Buffer.concat([bytes(1, 'view'), bytes(1, 'edit')])),
          entry(5, 'empty', Buffer.alloc(0)),
          bytes(6, 'u-1'),
        ),
      ]),
    ),
    {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'imagestreams' },
        user: 'alice',
        groups: ['devs', 'ops'],
        extra: { empty: [], scopes: ['view', 'edit'] },
        uid: 'u-1',
      },
    },
  ],
  [
    'a LocalSubjectAccessReview with groups only',
    envelope(
      'authorization.k8s.io/v1',
      'LocalSubjectAccessReview',
      Buffer.concat([msg(1, bytes(3, 'ns')), msg(2, msg(2, bytes(1, '/x')), bytes(4, 'devs'))]),
    ),
    {
      kind: 'LocalSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { namespace: 'ns', creationTimestamp: null },
      spec: { nonResourceAttributes: { path: '/x' }, groups: ['devs'] },
    },
  ],
]

void describe('decodeKubernetesProtobuf: synthetic bodies', () => {
  for (const [name, body, want] of decodes) {
    void it(name, () => {
      assert.deepEqual(decodeKubernetesProtobuf(body), want)
    })
  }
})

// --- Refusals ----------------------------------------------------------------------------------

const secretWith = (raw: Buffer): Buffer => envelope('v1', 'Secret', raw)
const deepJson = '['.repeat(PROTOBUF_LIMITS.maxDepth) + ']'.repeat(PROTOBUF_LIMITS.maxDepth)

const refusals: readonly (readonly [string, Buffer, RegExp])[] = [
  ['an empty body', Buffer.alloc(0), /does not start with .* it starts with nothing/],
  ['a JSON body', Buffer.from('{"kind":"Secret"}'), /prefix 6b387300 .* starts with 7b226b69/],
  ['the wrong magic', Buffer.from('k8s\x01'), /starts with 6b387301/],
  ['the magic alone', MAGIC, /kind "" in apiVersion "" cannot be sent as protobuf/],
  [
    'an unknown kind',
    envelope('v1', 'ConfigMap', msg(1, bytes(1, 'c'))),
    /kind "ConfigMap" in apiVersion "v1" cannot be sent as protobuf; send it as application\/json \(protobuf is accepted for v1 Secret, ServiceAccount, Namespace; authorization\.k8s\.io\/v1 SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview, LocalSubjectAccessReview; authentication\.k8s\.io\/v1 TokenRequest; rbac\.authorization\.k8s\.io\/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding\)/,
  ],
  ['a known kind in another group', envelope('apps/v1', 'Secret', Buffer.alloc(0)), /"apps\/v1"/],
  [
    'a kind named like an Object.prototype member',
    envelope('v1', 'toString', Buffer.alloc(0)),
    /kind "toString"/,
  ],
  [
    'a compressed object',
    envelope('v1', 'Secret', Buffer.alloc(0), bytes(3, 'gzip')),
    /contentEncoding "gzip" is not supported/,
  ],
  [
    'a JSON object inside the envelope',
    envelope('v1', 'Secret', Buffer.alloc(0), bytes(4, 'application/json')),
    /contentType "application\/json" is not protobuf/,
  ],
  [
    'a truncated tag varint',
    Buffer.concat([MAGIC, Buffer.from([0x8a])]),
    /runtime\.Unknown: truncated varint in the tag at byte 0/,
  ],
  [
    'a truncated length varint',
    secretWith(Buffer.from([0x0a, 0xff])),
    /Secret: truncated varint in the length of field 1/,
  ],
  [
    'a truncated value varint',
    secretWith(msg(1, Buffer.from([0x38, 0x80, 0x80]))),
    /Secret\.metadata: truncated varint in the value of field 7/,
  ],
  [
    'a varint longer than ten bytes',
    secretWith(Buffer.from([0x28, ...Array<number>(10).fill(0xff), 0x01])),
    /Secret: varint longer than 10 bytes in the value of field 5/,
  ],
  [
    'a varint over 64 bits',
    secretWith(Buffer.from([0x28, ...Array<number>(9).fill(0xff), 0x02])),
    /Secret: varint overflows 64 bits in the value of field 5/,
  ],
  [
    'a tag past 32 bits',
    secretWith(Buffer.concat([varint(1n << 35n), varint(0)])),
    /tag \d+ is out/,
  ],
  [
    'a length past the end of the body',
    Buffer.concat([MAGIC, tag(2, 2), varint(100), Buffer.from('abc')]),
    /runtime\.Unknown: field 2 has length 100, past the end of the message \(3 bytes left\)/,
  ],
  [
    'a length past the end of the enclosing message',
    secretWith(Buffer.concat([tag(1, 2), varint(2), tag(1, 2), varint(9)])),
    /Secret\.metadata: field 1 has length 9, past the end of the message \(0 bytes left\)/,
  ],
  [
    'a truncated fixed64',
    secretWith(Buffer.concat([tag(20, 1), Buffer.alloc(7)])),
    /field 20 needs 8 bytes, 7 left/,
  ],
  [
    'a truncated fixed32',
    secretWith(Buffer.concat([tag(20, 5), Buffer.alloc(3)])),
    /field 20 needs 4 bytes, 3 left/,
  ],
  ['a group', secretWith(tag(20, 3)), /field 20 uses the deprecated group wire type/],
  ['wire type 7', secretWith(tag(20, 7)), /field 20 has the invalid wire type 7/],
  ['field number 0', secretWith(Buffer.from([0x02, 0x00])), /field number 0/],
  [
    'metadata as a varint',
    secretWith(num(1, 1)),
    /Secret: field 1 is varint, want length-delimited/,
  ],
  ['immutable as bytes', secretWith(bytes(5, 'yes')), /field 5 is length-delimited, want varint/],
  [
    'typeMeta as a varint',
    Buffer.concat([MAGIC, num(1, 1)]),
    /runtime\.Unknown: field 1 is varint/,
  ],
  [
    'a name that is not UTF-8',
    secretWith(msg(1, bytes(1, Buffer.from([0x61, 0xff])))),
    /Secret\.metadata\.name: the string is not valid UTF-8/,
  ],
  [
    'a generation past 2^53',
    secretWith(msg(1, num(7, 1n << 60n))),
    /Secret\.metadata\.generation: 1152921504606846976 does not fit a JSON number/,
  ],
  [
    'a timestamp after year 9999',
    secretWith(msg(1, time(8, 253_402_300_800))),
    /creationTimestamp: 253402300800 seconds is outside years 1 to 9999/,
  ],
  [
    'a timestamp before year 1',
    secretWith(msg(1, time(8, -62_135_596_801))),
    /outside years 1 to 9999/,
  ],
  [
    'fieldsV1 that is not JSON',
    secretWith(msg(1, msg(17, msg(7, bytes(1, '{"f:data":'))))),
    /Secret\.metadata\.managedFields\[0\]\.fieldsV1: not valid JSON/,
  ],
  [
    'nested too deep (JSON inside fieldsV1)',
    secretWith(msg(1, msg(17, msg(7, bytes(1, deepJson))))),
    /managedFields\[0\]\.fieldsV1: nested more than 32 levels deep/,
  ],
  [
    'more fields than the limit',
    secretWith(Buffer.concat(Array.from({ length: PROTOBUF_LIMITS.maxFields }, () => num(99, 0)))),
    /Secret: the body has more than 100000 fields/,
  ],
  [
    'a body over the size limit',
    Buffer.concat([MAGIC, Buffer.alloc(PROTOBUF_LIMITS.maxBodyBytes)]),
    /the body is 3145732 bytes, over the 3145728-byte limit/,
  ],
]

void describe('decodeKubernetesProtobuf: refusals', () => {
  for (const [name, body, message] of refusals) {
    void it(name, () => {
      assert.throws(
        () => decodeKubernetesProtobuf(body),
        (err: unknown) => {
          assert.ok(err instanceof UnsupportedProtobufError, String(err))
          assert.equal(err.code, 'UnsupportedMediaType')
          assert.equal(err.name, 'UnsupportedProtobufError')
          assert.match(err.message, /^cannot decode the protobuf request body: /)
          assert.match(err.message, message)
          return true
        },
      )
    })
  }
})

void describe('jsonDepth', () => {
  const cases: readonly (readonly [string, number])[] = [
    ['1', 0],
    ['{}', 1],
    ['{"a":[{}]}', 3],
    ['{"[[[":"]]]"}', 1],
    ['["\\"[[", []]', 2],
    ['[[]],[[[]]]', 3],
  ]
  for (const [text, want] of cases) {
    void it(text, () => assert.equal(jsonDepth(text), want))
  }
})
