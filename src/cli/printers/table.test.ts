import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Table } from '../../api/meta.js'
import { renderTable, tableLines } from './table.js'

const column = (name: string, priority = 0, format = '') => ({
  name,
  type: 'string',
  format,
  description: '',
  priority,
})

const TABLE: Table = {
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  columnDefinitions: [column('Name', 0, 'name'), column('Tags'), column('Image Name', 1)],
  rows: [
    {
      cells: ['ruby', 'latest,3.3', 'sha256:aa'],
      object: { metadata: { namespace: 'team', labels: { b: '2', a: '1' } } },
    },
    { cells: ['go', null, 'multi\nline'], object: { metadata: { namespace: 'default' } } },
  ],
}

describe('kubectl table printing', () => {
  const cases: { name: string; opts: Parameters<typeof tableLines>[1]; want: string }[] = [
    {
      name: 'default columns, aligned with minwidth 6 and padding 3',
      opts: { wide: false, noHeaders: false, withNamespace: false },
      want: 'NAME   TAGS\nruby   latest,3.3\ngo     \n',
    },
    {
      name: 'wide adds priority 1 and keeps the first line of a cell',
      opts: { wide: true, noHeaders: true, withNamespace: false },
      want: 'ruby   latest,3.3   sha256:aa\ngo                  multi\n',
    },
    {
      name: 'namespace, kind prefix and labels',
      opts: {
        wide: false,
        noHeaders: false,
        withNamespace: true,
        kindPrefix: 'imagestream.image.openshift.io',
        showLabels: true,
      },
      want: [
        'NAMESPACE   NAME                                  TAGS         LABELS',
        'team        imagestream.image.openshift.io/ruby   latest,3.3   a=1,b=2',
        'default     imagestream.image.openshift.io/go                  <none>',
        '',
      ].join('\n'),
    },
  ]
  for (const c of cases) {
    it(c.name, () => assert.equal(renderTable(tableLines(TABLE, c.opts)), c.want))
  }

  it('prints nothing for no lines', () => assert.equal(renderTable([]), ''))
})
