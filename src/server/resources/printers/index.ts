/** The Table printer of each resource (docs/kubernetes-api.md#tables; oc's columns). */
import type { Printer } from '../table.js'
import { defaultPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './core.js'
import { eventPrinter, eventsV1Printer } from './events.js'
import {
  imagePrinter,
  imageStreamImagePrinter,
  imageStreamPrinter,
  imageStreamTagPrinter,
  imageTagPrinter,
} from './image.js'
import { projectPrinter } from './project.js'
import { clusterRoleBindingPrinter, roleBindingPrinter, rolePrinter } from './rbac.js'

const PRINTERS: Readonly<Record<string, Printer>> = {
  images: imagePrinter,
  imagestreams: imageStreamPrinter,
  imagestreamtags: imageStreamTagPrinter,
  imagestreamimages: imageStreamImagePrinter,
  imagetags: imageTagPrinter,
  secrets: secretPrinter,
  serviceaccounts: serviceAccountPrinter,
  namespaces: namespacePrinter,
  events: eventPrinter,
  'events.events.k8s.io': eventsV1Printer,
  roles: rolePrinter,
  clusterroles: rolePrinter,
  rolebindings: roleBindingPrinter,
  clusterrolebindings: clusterRoleBindingPrinter,
  projects: projectPrinter,
}

/** printerFor returns a resource's printer, or `NAME AGE` for resources without one. */
export function printerFor(resource: string): Printer {
  return Object.hasOwn(PRINTERS, resource) ? (PRINTERS[resource] ?? defaultPrinter) : defaultPrinter
}
