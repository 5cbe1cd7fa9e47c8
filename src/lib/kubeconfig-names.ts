/** The kubeconfig entry names oc gives a server, shared by `isctl login` and `isctl serve`. */

/**
 * contextNames are the names `oc login` gives: cluster `127-0-0-1:8443` (host:port, dots as
 * dashes), user `admin/127-0-0-1:8443`, context `default/127-0-0-1:8443/admin`, so
 * configurations from several servers merge without clashes.
 */
export function contextNames(
  server: string,
  userName: string,
  namespace: string,
): { cluster: string; user: string; context: string } {
  const url = new URL(server)
  // oc's netutil.CanonicalAddr: the scheme's port when none is given (URL elides a default
  // port), an IPv6 address keeps its brackets.
  const port = url.port || (url.protocol === 'http:' ? '80' : '443')
  const cluster = `${url.hostname}:${port}`.replace(/\./g, '-')
  return {
    cluster,
    user: `${userName}/${cluster}`,
    context: `${namespace}/${cluster}/${userName}`,
  }
}
