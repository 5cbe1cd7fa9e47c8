/** rfc3339 renders milliseconds as a metav1.Time: RFC 3339 in UTC with whole seconds (docs/kubernetes-api.md#object-metadata). */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
    lastSecond = second
  }
  return lastText
}

// The last second rendered: a write stamps several times within the same second.
let lastSecond = NaN
let lastText = ''
