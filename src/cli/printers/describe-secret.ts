/**
 * `describe secret` as kubectl prints it (kubectl pkg/describe DescribeSecret, which oc uses
 * too): name, namespace, labels, annotations, type, and each data key with its size, never its
 * value. An Opaque secret holding a pull-secret key gets a warning line saying why imports
 * ignore it and how to recreate it.
 */
import type { Secret } from '../../api/core.js'
import { misTypedPullSecret, misTypedPullSecretAdvice } from '../../api/mistyped-pull-secrets.js'
import { byGoString } from './describe-text.js'
import { tabwrite } from './tabwriter.js'

// kubectl shows these annotations elsewhere or not at all (printAnnotationsMultiline).
const HIDDEN_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration'])

function multiline(label: string, items: Readonly<Record<string, string>>): string {
  const keys = Object.keys(items).sort(byGoString)
  if (keys.length === 0) return `${label}:\t<none>\n`
  return keys.map((k, i) => `${i === 0 ? `${label}:` : ''}\t${k}=${items[k]}\n`).join('')
}

/** describeSecret renders `secret` as kubectl describe does, plus the mis-typed pull secret warning. */
export function describeSecret(secret: Secret): string {
  const { name = '', namespace = '', labels = {}, annotations = {} } = secret.metadata
  const shown = Object.fromEntries(
    Object.entries(annotations).filter(([k]) => !HIDDEN_ANNOTATIONS.has(k)),
  )
  const data = secret.data ?? {}
  const sizes = Object.keys(data)
    .sort(byGoString)
    .map((k) => `${k}:\t${Buffer.from(data[k] ?? '', 'base64').length} bytes\n`)
  const text =
    `Name:\t${name}\nNamespace:\t${namespace}\n` +
    multiline('Labels', labels) +
    multiline('Annotations', shown) +
    `\nType:\t${secret.type ?? ''}\n\nData\n====\n${sizes.join('')}`
  const misTyped = misTypedPullSecret(secret)
  const warning = misTyped ? `\nWarning: ${misTypedPullSecretAdvice(misTyped)}\n` : ''
  return tabwrite(text, { minwidth: 0, padding: 2, padchar: ' ' }) + warning
}
