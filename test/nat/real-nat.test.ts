import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NatRig } from './netns.ts'

/**
 * The real-NAT test: real `peerhive` processes in network namespaces. A public segment
 * (bootstrap + supernode) and two LANs, each behind its own MASQUERADE router that drops
 * unsolicited inbound. A (LAN 1) and B (LAN 2) cannot dial each other; A finds B by name,
 * finds B's file through the supernode's index, and downloads it byte-identical.
 */
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const peerhive = join(root, 'bin', 'peerhive')
const probe = join(here, 'tcp-probe.ts')
const caller = join(here, 'call.ts')
const PORT = '4001'

interface Started { id: string, addrs: string[], proc: ChildProcess, dataDir: string, log: () => string }

describe('real NAT (network namespaces, peerhive processes)', function () {
  this.timeout(120_000)
  let rig: NatRig | undefined
  let tmp = ''

  after(async () => {
    rig?.destroy()
    if (rig !== undefined) assert.deepEqual(rig.leftovers(), [], 'every namespace of the run is gone')
    if (tmp !== '') await rm(tmp, { recursive: true, force: true })
  })

  async function start (host: string, args: string[]): Promise<Started> {
    const r = rig as NatRig
    const dataDir = join(tmp, host)
    const proc = r.spawn(host, peerhive, ['start', '--json', '--data-dir', dataDir, '--node.logLevel', process.env.NAT_LOG ?? 'info', ...args])
    let out = ''
    let err = ''
    proc.stderr?.on('data', d => { err += d.toString(); if (err.length > 200_000) err = err.slice(-100_000) })
    // NAT_LOG_DIR=<dir>: every peer's whole log (with DEBUG=libp2p:* too) for a post-mortem.
    const dir = process.env.NAT_LOG_DIR
    if (dir !== undefined) proc.stderr?.pipe(createWriteStream(join(dir, `${host}.log`)))
    const info = await new Promise<{ peerId: string, addresses: string[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${host}: peer did not start in 30 s\n${err.slice(-3000)}`)), 30_000)
      proc.stdout?.on('data', d => {
        out += d.toString()
        const line = out.split('\n').find(l => l.startsWith('{'))
        if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line)) }
      })
      proc.once('exit', code => { clearTimeout(timer); reject(new Error(`${host}: peer exited ${code}\n${err.slice(-3000)}`)) })
    })
    return { id: info.peerId, addrs: info.addresses, proc, dataDir, log: () => err }
  }

  function cli (host: string, dataDir: string, args: string[]): unknown {
    const out = (rig as NatRig).exec(host, peerhive, [...args, '--data-dir', dataDir, '--json'])
    return JSON.parse(out.trim().split('\n').pop() ?? 'null')
  }

  function call (host: string, dataDir: string, method: string, params: unknown, stream = false, timeoutMs = 10_000): unknown[] {
    const out = (rig as NatRig).exec(host, process.execPath, [caller, dataDir, method, JSON.stringify(params), ...(stream ? ['--stream'] : [])], timeoutMs)
    return out.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
  }

  async function eventually<T> (what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms
    let last: unknown
    for (let i = 0; i < ms / 250; i++) {
      try { const v = f(); if (v !== undefined) return v } catch (err) { last = err }
      if (Date.now() > deadline) break
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    throw new Error(`${what}: not within ${ms} ms${last !== undefined ? `; last error: ${(last as Error).message}` : ''}`)
  }

  it('A behind NAT finds B behind another NAT by name, finds its file and downloads it through the supernode', async () => {
    // Fails (not skips) when namespaces cannot be made.
    rig = NatRig.create({ publicHosts: ['boot', 'super'], lans: [{ name: 'lan1', hosts: ['a'] }, { name: 'lan2', hosts: ['b'] }] })
    tmp = await mkdtemp(join(tmpdir(), 'peerhive-nat-'))
    const ip = (h: string): string => (rig as NatRig).host(h).ip
    const common = ['--net.inboundConnectionThreshold', '1000', '--relay.checkIntervalMs', '500']

    const boot = await start('boot', ['--net.listen', `/ip4/${ip('boot')}/tcp/${PORT}`, '--relay.role', 'ordinary', '--relay.attach', 'never', '--chunks.tracker', 'true', ...common])
    const bootAddr = `/ip4/${ip('boot')}/tcp/${PORT}/p2p/${boot.id}`
    const sup = await start('super', ['--net.listen', `/ip4/${ip('super')}/tcp/${PORT}`, '--net.bootstrap', bootAddr, '--relay.role', 'super', ...common])
    // The NATed peers know only the bootstrap: they learn the supernode from it.
    const child = (name: string): string[] => ['--node.name', name, '--net.listen', `/ip4/0.0.0.0/tcp/${PORT}`, '--net.bootstrap', bootAddr,
      '--relay.role', 'ordinary', '--relay.attach', 'always', ...common]
    const a = await start('a', child('alice'))
    const b = await start('b', child('bob'))

    // Both attach to the supernode and get relayed addresses.
    for (const [h, p] of [['a', a], ['b', b]] as const) {
      await eventually(`${h} attached to the supernode`, () => {
        const st = cli(h, p.dataDir, ['relay', 'status']) as { supernode?: string, relayedAddrs: string[] }
        return st.supernode === sup.id && st.relayedAddrs.length > 0 ? st : undefined
      })
    }

    // No direct path between the LANs: neither to B's private address nor through its router.
    const wan2 = (rig as NatRig).routers.get('lan2')?.wanIp as string
    for (const target of [ip('b'), wan2]) {
      const r = (rig as NatRig).exec('a', process.execPath, [probe, 'dial', target, PORT, '1500']).trim()
      assert.match(r, /^fail /, `A reached ${target}:${PORT} directly`)
    }

    // whereis: bob's current addresses are relayed ones through the supernode.
    const where = await eventually('whereis bob', () => cli('a', a.dataDir, ['whereis', 'bob']) as { peer: string, addrs: string[] })
    assert.equal(where.peer, b.id)
    assert.ok(where.addrs.some(x => x.includes(`/p2p/${sup.id}/p2p-circuit/p2p/${b.id}`)), where.addrs.join(' '))

    // B shares a file; A finds it through the supernode's index.
    const content = randomBytes(3 * 1024 * 1024 + 12345)
    const src = join(b.dataDir, 'nat-traversal-demo.bin')
    await writeFile(src, content)
    const shared = call('b', b.dataDir, 'chunks.share', { path: src })[0] as { link: string }
    assert.ok(typeof shared.link === 'string', JSON.stringify(shared))
    // `peerhive search` on A goes to its supernode, which answers from its group index.
    const hits = await eventually('search finds the file', () => {
      const out = (rig as NatRig).exec('a', peerhive, ['search', 'nat', 'traversal', 'demo', '--timeout', '2', '--data-dir', a.dataDir, '--json'], 15_000)
      const h = out.trim().split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as { link: string, peer: string, addrs: string[], hops: number })
      return h.length > 0 ? h : undefined
    })
    assert.equal(hits[0].link, shared.link)
    assert.equal(hits[0].peer, b.id)
    assert.ok(hits[0].addrs.some(x => x.includes('/p2p-circuit/')), hits[0].addrs.join(' '))
    // Answered by B's group leader (one hop), and A flooded nothing into the overlay.
    assert.equal(hits[0].hops, 1)
    const stats = call('a', a.dataDir, 'search.stats', {})[0] as { searchesStarted: number }
    assert.equal(stats.searchesStarted, 0, 'the search went to the supernode, not into the overlay')

    // get: the download crosses the relay (no direct path exists) and is byte-identical.
    const out = join(a.dataDir, 'downloaded.bin')
    try {
      call('a', a.dataDir, 'chunks.get', { link: shared.link, out }, true, 45_000)
    } catch (err) {
      const tail = (p: Started): string => p.log().split('\n').filter(l => /chunk|warn|error/i.test(l)).slice(-15).join('\n')
      throw new Error(`get failed: ${(err as Error).message}\n--- a ---\n${tail(a)}\n--- b ---\n${tail(b)}\n--- boot ---\n${tail(boot)}`)
    }
    const got = await readFile(out)
    assert.equal(got.length, content.length)
    assert.ok(got.equals(content), 'downloaded bytes differ')
  })
})
