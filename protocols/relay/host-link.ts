import type { NatHost } from '../../node/contracts.ts'

/**
 * What the host knows that the relay module needs but `InstallContext` does not carry:
 * the NatHost (service 'nat' built inside libp2p) and the peer's user name (`node.name`;
 * modules get only their own config section). node/host/nat-services.ts registers them
 * by peer id while libp2p is built; the relay module takes them at install. Keyed by
 * peer id, so many peers in one process (swarms, tests) each find their own.
 */
export interface HostLink {
  nat?: NatHost
  name: string
}

const links = new Map<string, HostLink>()

export function registerHostLink (peer: string, link: HostLink): void {
  links.set(peer, link)
}

export function hostLinkFor (peer: string): HostLink | undefined {
  return links.get(peer)
}

export function dropHostLink (peer: string): void {
  links.delete(peer)
}
