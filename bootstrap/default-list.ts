/**
 * The bootstrap peers a peer dials when its config names none. Empty on purpose: there
 * is no public peerhive bootstrap yet, and shipping someone else's addresses would send
 * users' peers to hosts we do not run. Run `peerhive bootstrap` somewhere reachable and
 * put the multiaddrs it prints in `net.bootstrap`; on a LAN, mDNS needs no list at all.
 */
export const DEFAULT_BOOTSTRAP_LIST: readonly string[] = []
