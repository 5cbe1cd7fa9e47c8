/** The projects printer, as openshift-apiserver's (pkg/project/printers): NAME DISPLAY NAME STATUS. */
import { PROJECT_ANNOTATIONS } from '../../../api/paths.js'
import { column, type Printer } from '../table.js'
import { NAME_COLUMN } from './columns.js'

/** projectPrinter: NAME DISPLAY NAME STATUS. */
export const projectPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Display Name', 'When present, the display name of the project.'),
    column('Status', 'The project status.'),
  ],
  cells: (o) => {
    const annotations = o.metadata as { annotations?: Record<string, string> }
    const status = o.status as { phase?: unknown } | undefined
    return [
      o.metadata.name ?? '',
      annotations.annotations?.[PROJECT_ANNOTATIONS.displayName] ?? '',
      typeof status?.phase === 'string' ? status.phase : '',
    ]
  },
}
