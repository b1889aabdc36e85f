import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChildPeer } from './child-peer.ts'

/** Namespaces of this test start with this prefix plus the test process's pid. */
const NS_PREFIX = 'phmdns-'

function ip (args: string[]): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString()
  } catch (err) {
    const e = err as { code?: string, stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('the mDNS test needs the `ip` command (iproute2) and root to create a network namespace; install iproute2 (apt-get install iproute2)')
    throw new Error(`ip ${args.join(' ')} failed: ${e.stderr?.toString().trim() ?? (err as Error).message}`)
  }
}

/** Remove namespaces left by earlier runs whose process is gone. */
function cleanupStale (): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const ns = line.trim().split(/\s+/)[0]
    if (ns === undefined || !ns.startsWith(NS_PREFIX)) continue
    const pid = Number(ns.slice(NS_PREFIX.length).split('-')[0])
    let alive = false
    try { process.kill(pid, 0); alive = true } catch {}
    if (!alive) ip(['netns', 'del', ns])
  }
}

/**
 * Two peers with empty bootstrap lists find each other by mDNS. Multicast must not leave
 * this machine, so both run in a network namespace of their own with only a loopback
 * interface (multicast enabled and routed onto it).
 */
describe('runtime: LAN discovery by mDNS (in a network namespace)', function () {
  this.timeout(60_000)
  const ns = `${NS_PREFIX}${process.pid}-${Date.now() % 100_000}`
  let created = false
  let dir: string
  const children: ChildPeer[] = []

  before(async () => {
    cleanupStale()
    ip(['netns', 'add', ns])
    created = true
    ip(['-n', ns, 'link', 'set', 'lo', 'up'])
    ip(['-n', ns, 'link', 'set', 'lo', 'multicast', 'on'])
    ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo'])
    dir = await mkdtemp(join(tmpdir(), 'peerhive-mdns-'))
  })

  after(async () => {
    await Promise.all(children.map(async c => { await c.stop(3000) }))
    if (created) ip(['netns', 'del', ns])
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('connects two peers that have no bootstrap list', async () => {
    // The namespace has nothing but loopback: proof that nothing can leave it.
    const links = ip(['-n', ns, '-o', 'link', 'show']).trim().split('\n')
    assert.equal(links.length, 1, `only lo in the namespace: ${links.join(' | ')}`)
    const config = (name: string): object => ({
      node: { dataDir: join(dir, name), logLevel: 'warn' },
      net: { mdns: true, bootstrap: [], listen: ['/ip4/127.0.0.1/tcp/0'], allow: ['/ip4/127.0.0.1'] },
      relay: { enabled: false }
    })
    const a = ChildPeer.start(dir, 'a', config('a'), ['ip', 'netns', 'exec', ns])
    const b = ChildPeer.start(dir, 'b', config('b'), ['ip', 'netns', 'exec', ns])
    children.push(a, b)
    const [sa, sb] = await Promise.all([
      a.waitFor(e => e.event === 'started', 20_000, 'peer a started'),
      b.waitFor(e => e.event === 'started', 20_000, 'peer b started')
    ])
    assert.notEqual(sa.id, sb.id)
    await Promise.all([
      a.waitFor(e => e.event === 'connect' && e.peer === sb.id, 20_000, 'a connected to b by mDNS'),
      b.waitFor(e => e.event === 'connect' && e.peer === sa.id, 20_000, 'b connected to a by mDNS')
    ])
  })
})
