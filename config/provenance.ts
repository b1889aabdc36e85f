/**
 * Where each effective config value came from, so `peerhive config` can say why a value
 * is what it is ("flag --net.uploadBps" beats "env PEERHIVE_NET_UPLOAD_BPS").
 */
export type Origin =
  | { kind: 'default' }
  | { kind: 'file', path: string }
  | { kind: 'env', name: string }
  | { kind: 'flag', name: string }

export function describeOrigin (o: Origin): string {
  switch (o.kind) {
    case 'default': return 'default'
    case 'file': return `file ${o.path}`
    case 'env': return `env ${o.name}`
    case 'flag': return `flag ${o.name}`
  }
}
