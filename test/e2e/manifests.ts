/** Manifests the end-to-end suites give kubectl, shared where several suites check the same one. */

/**
 * IMAGE_STREAM is an ImageStream that uses every part of a spec tag kubectl validates against
 * the OpenAPI documents: lookupPolicy, from, importPolicy (scheduled, importMode) and
 * referencePolicy.
 */
export const IMAGE_STREAM = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ruby
spec:
  lookupPolicy:
    local: true
  tags:
  - name: "3.3"
    from:
      kind: DockerImage
      name: quay.io/example/ruby:3.3
    importPolicy:
      scheduled: true
      importMode: PreserveOriginal
    referencePolicy:
      type: Source
`
