/** Column definitions shared by every kind, with kube's descriptions (metav1.ObjectMeta's swagger docs). */
import { column } from '../table.js'

/** NAME_COLUMN is the first column of every Table. */
export const NAME_COLUMN = column(
  'Name',
  'Name must be unique within a namespace. Is required when creating resources, although some ' +
    'resources may allow a client to request the generation of an appropriate name ' +
    'automatically. Name is primarily intended for creation idempotence and configuration ' +
    'definition. Cannot be updated. More info: ' +
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  { format: 'name' },
)

/** AGE_COLUMN is the last column of the core kinds' Tables. */
export const AGE_COLUMN = column(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created. ' +
    'It is not guaranteed to be set in happens-before order across separate operations. Clients ' +
    'may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by ' +
    'the system. Read-only. Null for lists. More info: ' +
    'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
)
