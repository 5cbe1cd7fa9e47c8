/**
 * The text of `isctl adm prune images`, as oc prints it (openshift/oc
 * pkg/cli/admin/prune/images/images.go and imageprune/prune.go): one line per action, the
 * closing summary, the per-action failure lines and the error they add up to, and the graph
 * error for invalid workload references.
 */
import type { PruneEvent, PruneFailure, PrunePlan, PruneSummary } from '../../pruner/types.js'

/** DRY_RUN_NOTICE goes to stderr when `--confirm` is not given. */
export const DRY_RUN_NOTICE =
  'Dry run enabled - no modifications will be made. Add --confirm to remove images'

/** API_ONLY_NOTICE is printed with `--prune-registry=false` (two spaces, as oc). */
export const API_ONLY_NOTICE =
  'Only API objects will be removed.  No modifications to the image registry will be made.'

/** GRAPH_FAILED is the error a run with invalid references ends with. */
export const GRAPH_FAILED = 'failed to build graph - no changes made'

/** eventLine is the line oc prints as it carries out (or, dry, would carry out) an action. */
export function eventLine(event: PruneEvent): string {
  switch (event.kind) {
    case 'stream':
      return `Deleting ${event.items} items from image stream ${event.namespace}/${event.name}`
    case 'image':
      return `Deleting image ${event.name}`
    case 'blob':
      return `Deleting blob ${event.digest}`
  }
}

/** summaryText is oc's PruneStats string: only the non-zero counts, or `deleted 0 objects`. */
export function summaryText(summary: PruneSummary): string {
  const parts: [number, string][] = [
    [summary.deletedImages, `deleted ${summary.deletedImages} image object(s)`],
    [summary.deletedItems, `deleted ${summary.deletedItems} image stream tag item(s)`],
    [summary.updatedStreams, `updated ${summary.updatedStreams} image stream(s)`],
    [summary.deletedBlobs, `deleted ${summary.deletedBlobs} blob(s)`],
  ]
  const said = parts.filter(([n]) => n !== 0).map(([, text]) => text)
  return said.length === 0 ? 'deleted 0 objects' : said.join(', ')
}

/** summaryLine is the run's last line on stdout. */
export function summaryLine(summary: PruneSummary): string {
  return `Summary: ${summaryText(summary)}`
}

/** failureLine is what oc's describing deleters print on stderr when an action fails. */
export function failureLine(f: PruneFailure): string {
  switch (f.what) {
    case 'stream':
      return `error updating image stream ${f.which} to remove image references: ${f.message}`
    case 'image':
      return `error deleting image ${f.which} from server: ${f.message}`
    case 'blob':
      return `error deleting blob ${f.which} from the registry: ${f.message}`
  }
}

/** failureError is one failure as oc's pruner aggregates it into the command's error. */
export function failureError(f: PruneFailure): string {
  switch (f.what) {
    case 'stream':
      return `imagestream ${f.which}: ${f.message}`
    case 'image':
      return `image ${f.which}: failed to delete image ${f.which}: ${f.message}`
    case 'blob':
      return `failed to delete blob ${f.which}: ${f.message}`
  }
}

/**
 * failuresText is what kubectl's CheckErr prints for the aggregate of `failures`: one error as
 * `error: <text>`, several one per line without a prefix.
 */
export function failuresText(failures: readonly PruneFailure[]): string {
  if (failures.length === 1) return `error: ${failureError(failures[0]!)}\n`
  return failures.map((f) => `${failureError(f)}\n`).join('')
}

/**
 * graphFailedText is oc's graph error on stderr: `listing` is the pruner's list of invalid
 * references (InvalidReferencesError's message, from "The following objects" to "Either fix"),
 * and the error the command exits with comes last.
 */
export function graphFailedText(listing: string): string {
  return `Failed to build graph!\n\n${listing}\nerror: ${GRAPH_FAILED}\n`
}

/** keptInUseLine says why an Image planned for deletion stayed (ours; oc has no such case). */
export function keptInUseLine(name: string): string {
  return `Kept image ${name}: an image stream or a manifest list references it again`
}

/** formatPlan is `-o json`: the plan, every candidate with its decision, as data. */
export function formatPlan(plan: PrunePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`
}
