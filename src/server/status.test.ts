import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidObjectError,
  InvalidSelectorError,
  NotFoundError,
  ReferencedError,
  StoreClosedError,
  StoreUnavailableError,
  TooLargeResourceVersionError,
  objectKey,
} from '../storage/index.js'
import type { StatusError } from './status.js'
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  gone,
  internalError,
  invalid,
  invalidRequest,
  methodNotAllowed,
  notAcceptable,
  notFound,
  requestEntityTooLarge,
  serviceUnavailable,
  statusFromError,
  unauthorized,
  unsupportedMediaType,
  type Status,
} from './status.js'
import { createStoreErrorMapper, STORE_UNAVAILABLE_RETRY_SECONDS } from './store-errors.js'

const IS = { group: 'image.openshift.io', resource: 'imagestreams' }
const SECRETS = { group: '', resource: 'secrets' }

function body(
  reason: Status['reason'],
  code: number,
  message: string,
  details?: Status['details'],
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  }
}

describe('Status constructors (docs/kubernetes-api.md#status-errors)', () => {
  const cases: [string, StatusError, Status][] = [
    [
      'NotFound',
      notFound(IS, 'nope'),
      body('NotFound', 404, 'imagestreams.image.openshift.io "nope" not found', {
        name: 'nope',
        group: 'image.openshift.io',
        kind: 'imagestreams',
      }),
    ],
    [
      'NotFound, core',
      notFound(SECRETS, 's'),
      body('NotFound', 404, 'secrets "s" not found', { name: 's', kind: 'secrets' }),
    ],
    [
      'NotFound, a name with a control character from the path, quoted as Go does',
      notFound(SECRETS, 'a\u0001b'),
      body('NotFound', 404, 'secrets "a\\x01b" not found', { name: 'a\u0001b', kind: 'secrets' }),
    ],
    [
      'AlreadyExists',
      alreadyExists(IS, 'ruby'),
      body('AlreadyExists', 409, 'imagestreams.image.openshift.io "ruby" already exists', {
        name: 'ruby',
        group: 'image.openshift.io',
        kind: 'imagestreams',
      }),
    ],
    [
      'Conflict',
      conflict(IS, 'ruby'),
      body(
        'Conflict',
        409,
        'Operation cannot be fulfilled on imagestreams.image.openshift.io "ruby": the object has been modified; please apply your changes to the latest version and try again',
        { name: 'ruby', group: 'image.openshift.io', kind: 'imagestreams' },
      ),
    ],
    [
      'Invalid with causes',
      invalid({ group: 'image.openshift.io', kind: 'ImageStream' }, 'Bad_Name', [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          message: 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
        },
        { type: 'FieldValueRequired', field: 'spec.tags[0].name', message: 'Required value' },
      ]),
      body(
        'Invalid',
        422,
        'ImageStream.image.openshift.io "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain, spec.tags[0].name: Required value]',
        {
          name: 'Bad_Name',
          group: 'image.openshift.io',
          kind: 'ImageStream',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
              field: 'metadata.name',
            },
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.tags[0].name' },
          ],
        },
      ),
    ],
    [
      'Invalid with one cause is not bracketed',
      invalid({ group: '', kind: 'Secret' }, 's', [
        { type: 'FieldValueRequired', field: 'data[.dockerconfigjson]', message: 'Required value' },
      ]),
      body('Invalid', 422, 'Secret "s" is invalid: data[.dockerconfigjson]: Required value', {
        name: 's',
        kind: 'Secret',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: 'data[.dockerconfigjson]',
          },
        ],
      }),
    ],
    [
      'Invalid without details',
      invalidRequest('unable to remove nonexistent key: 5'),
      body('Invalid', 422, 'unable to remove nonexistent key: 5'),
    ],
    ['BadRequest', badRequest('bad'), body('BadRequest', 400, 'bad')],
    [
      'Unauthorized',
      unauthorized(),
      // Exactly the apiserver's 401 body (docs/kubernetes-api.md#transport-and-authentication).
      body('Unauthorized', 401, 'Unauthorized'),
    ],
    [
      'Forbidden',
      forbidden(
        IS,
        'x',
        'User "alice" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "default"',
      ),
      body(
        'Forbidden',
        403,
        'imagestreams.image.openshift.io "x" is forbidden: User "alice" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "default"',
        { name: 'x', group: 'image.openshift.io', kind: 'imagestreams' },
      ),
    ],
    [
      'Forbidden without a name',
      forbidden(IS, '', 'why'),
      body('Forbidden', 403, 'imagestreams.image.openshift.io is forbidden: why', {
        group: 'image.openshift.io',
        kind: 'imagestreams',
      }),
    ],
    [
      'Forbidden, non-resource',
      forbidden(undefined, '', 'why'),
      body('Forbidden', 403, 'forbidden: why'),
    ],
    [
      'MethodNotAllowed',
      methodNotAllowed(),
      body(
        'MethodNotAllowed',
        405,
        'the server does not allow this method on the requested resource',
      ),
    ],
    ['NotAcceptable', notAcceptable('no'), body('NotAcceptable', 406, 'no')],
    [
      'RequestEntityTooLarge',
      requestEntityTooLarge(3145728),
      body('RequestEntityTooLarge', 413, 'Request entity too large: limit is 3145728'),
    ],
    ['UnsupportedMediaType', unsupportedMediaType('m'), body('UnsupportedMediaType', 415, 'm')],
    [
      'Expired',
      expired('too old resource version: 1 (5)'),
      body('Expired', 410, 'too old resource version: 1 (5)'),
    ],
    ['Gone', gone('g'), body('Gone', 410, 'g')],
    ['ServiceUnavailable', serviceUnavailable('s'), body('ServiceUnavailable', 503, 's')],
    ['InternalError', internalError('x'), body('InternalError', 500, 'Internal error occurred: x')],
  ]
  for (const [name, err, want] of cases) {
    it(name, () => {
      assert.deepEqual(err.toStatus(), want)
      assert.equal(err.httpStatus, want.code)
      assert.equal(err.code, want.reason)
      assert.deepEqual(Object.keys(err.toStatus()).at(-1), 'code')
    })
  }
})

describe('statusFromError', () => {
  function fastifyError(code: string, statusCode: number, message: string): Error {
    return Object.assign(new Error(message), { code, statusCode })
  }
  const cases: [string, unknown, Status['reason'], number, RegExp][] = [
    ['a StatusError as is', notFound(IS, 'a'), 'NotFound', 404, /"a" not found/],
    [
      'body too large',
      fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'),
      'RequestEntityTooLarge',
      413,
      /^Request entity too large: limit is 100$/,
    ],
    [
      'unknown media type',
      fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type'),
      'UnsupportedMediaType',
      415,
      /^the body of the request was in an unknown format - accepted media types include: application\/json/,
    ],
    [
      'bad content length',
      fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'mismatch'),
      'BadRequest',
      400,
      /^mismatch$/,
    ],
    [
      'schema validation',
      fastifyError('FST_ERR_VALIDATION', 400, 'querystring/limit must be integer'),
      'BadRequest',
      400,
      /limit must be integer/,
    ],
    [
      'an unknown error: 500 naming only the request id',
      new Error('connect ECONNREFUSED 10.0.0.1:5432 password=hunter2'),
      'InternalError',
      500,
      /^Internal error occurred: an unexpected error prevented the request from succeeding \(request req-7; see the server log\)$/,
    ],
    [
      'a 4xx statusCode on a non-fastify error is not trusted',
      Object.assign(new Error('secret detail'), { statusCode: 404 }),
      'InternalError',
      500,
      /^Internal error occurred: an unexpected/,
    ],
    ['a thrown string', 'boom', 'InternalError', 500, /^Internal error occurred/],
  ]
  for (const [name, err, reason, code, message] of cases) {
    it(name, () => {
      const status = statusFromError(err, { bodyLimit: 100, requestId: 'req-7' }).toStatus()
      assert.equal(status.reason, reason)
      assert.equal(status.code, code)
      assert.match(status.message, message)
      assert.ok(!JSON.stringify(status).includes('hunter2'))
      assert.ok(!JSON.stringify(status).includes('secret detail'))
      assert.ok(!JSON.stringify(status).includes('    at '), 'no stack trace')
    })
  }

  it('tries mappers before the built-in rules', () => {
    const mapped = statusFromError(new Error('x'), {
      mappers: [() => undefined, () => gone('mapped')],
    })
    assert.equal(mapped.toStatus().message, 'mapped')
  })
})

describe('createStoreErrorMapper', () => {
  const map = createStoreErrorMapper((r) => (r === 'imagestreams' ? 'image.openshift.io' : ''))
  const key = objectKey('imagestreams', 'ruby', 'default')
  const cases: [
    string,
    unknown,
    Status['reason'] | undefined,
    number | undefined,
    string | RegExp,
  ][] = [
    [
      'NotFound',
      new NotFoundError(key),
      'NotFound',
      404,
      'imagestreams.image.openshift.io "ruby" not found',
    ],
    [
      'NotFound, core',
      new NotFoundError(objectKey('secrets', 'pull', 'ns1')),
      'NotFound',
      404,
      'secrets "pull" not found',
    ],
    [
      'AlreadyExists',
      new AlreadyExistsError(key),
      'AlreadyExists',
      409,
      'imagestreams.image.openshift.io "ruby" already exists',
    ],
    [
      'Conflict',
      new ConflictError(key, '5', '6'),
      'Conflict',
      409,
      /^Operation cannot be fulfilled on imagestreams\.image\.openshift\.io "ruby": the object has been modified/,
    ],
    [
      'InvalidSelector',
      new InvalidSelectorError('label', 'a in', 'bad'),
      'BadRequest',
      400,
      /invalid label selector/,
    ],
    ['Expired', new ExpiredError(1, 5, 'watch'), 'Expired', 410, 'too old resource version: 1 (5)'],
    [
      'TooLargeResourceVersion',
      new TooLargeResourceVersionError(9, 3),
      'Timeout',
      504,
      'Too large resource version: 9, current: 3',
    ],
    [
      'Referenced, with no remedy of its own',
      new ReferencedError(objectKey('secrets', 'pull', 'default'), key),
      'Conflict',
      409,
      'secrets "pull" is still referenced by imagestreams default/ruby: remove the reference first',
    ],
    ['StoreClosed', new StoreClosedError(), 'ServiceUnavailable', 503, /shutting down/],
    [
      'Unavailable',
      new StoreUnavailableError({ cause: new Error('connection refused') }),
      'ServiceUnavailable',
      503,
      'the storage backend is unavailable; try again later',
    ],
    ['InvalidObject stays a 500', new InvalidObjectError(key, 'x'), undefined, undefined, ''],
    ['not a store error', new Error('x'), undefined, undefined, ''],
  ]
  for (const [name, err, reason, code, message] of cases) {
    it(name, () => {
      const mapped = map(err)?.toStatus()
      assert.equal(mapped?.reason, reason)
      assert.equal(mapped?.code, code)
      if (mapped?.reason === 'ServiceUnavailable' && name === 'Unavailable') {
        assert.equal(mapped.details?.retryAfterSeconds, STORE_UNAVAILABLE_RETRY_SECONDS)
      }
      if (mapped) {
        if (typeof message === 'string') assert.equal(mapped.message, message)
        else assert.match(mapped.message, message)
      }
    })
  }
})
