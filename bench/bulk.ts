/**
 * `npm run bench -- bulk [--json] [--mib 32] [--capped-mib 12] [--cap 4000000] [--transport memory|tcp]`
 *
 * The net port's two paths for large data between two peers on real libp2p:
 * - throughput, uncapped: one bulk stream vs the same bytes as 60 KiB frames (messages);
 * - under a download cap far below the sender's rate: achieved rate / cap, for frames and
 *   bulk (the receiver pauses its stream so the sender slows instead of overflowing the
 *   4 MiB read buffer), and the most bytes the sender got ahead of the reader.
 */
import type { ActorFactory } from '../node/kernel/actor.ts'
import type { RuntimePeer } from '../node/peer.ts'
import type { NetEvent, NetPort } from '../node/ports/net.ts'
import { createSwarm, type ConfigOverrides, type Swarm } from '../node/swarm.ts'
import type { WireProtocol } from '../node/wire/codec.ts'
import { probeProtocol, type Probe } from '../test/fixtures/probe-protocol.ts'
import { environment, type BenchReport, type Cell } from './report.ts'

const MiB = 1024 * 1024
const BLOB = 60 * 1024
const modulesOff = { dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }
const wire: WireProtocol<Probe> = { ...probeProtocol, id: '/peerhive-bench/bulk/1.0.0', maxBulkBytes: 1024 * MiB }

interface Sink { net?: NetPort<Probe>, frameBytes: number, bulkBytes: number, bulkDone?: () => void }

function sinkActor (sink: Sink): ActorFactory<NetEvent<Probe>, Probe> {
  return (c) => {
    sink.net = c.net
    return {
      receive (ev) {
        if (ev.type === 'net:message' && ev.msg.type === 'blob') sink.frameBytes += ev.msg.data.length
        if (ev.type !== 'net:bulk') return
        void (async () => {
          for await (const p of ev.source) sink.bulkBytes += p.length
          sink.bulkDone?.()
        })()
      }
    }
  }
}

function num (args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name)
  const v = i >= 0 ? Number(args[i + 1]) : NaN
  return Number.isFinite(v) && v > 0 ? v : dflt
}

async function pair (transport: 'memory' | 'tcp', receiverNet: ConfigOverrides['net'], swarms: Swarm[]): Promise<{ tx: Sink, rx: Sink, receiver: RuntimePeer }> {
  const mk = async (net: ConfigOverrides['net']): Promise<{ p: RuntimePeer, s: Sink }> => {
    const sw = await createSwarm({ size: 0, transport, config: { ...modulesOff, node: { logLevel: 'error' }, net: { lowWater: 0, ...net } } })
    swarms.push(sw)
    const p = sw.bootstrap as RuntimePeer
    const s: Sink = { frameBytes: 0, bulkBytes: 0 }
    p.system.spawn({ name: 'sink', wire, factory: sinkActor(s) })
    await p.net.ready()
    return { p, s }
  }
  const a = await mk({})
  const b = await mk(receiverNet)
  await a.p.libp2p.dial(b.p.libp2p.getMultiaddrs()[0])
  return { tx: a.s, rx: b.s, receiver: b.p }
}

/** Frames: send `bytes` as blobs, awaiting each send (the port's own backpressure). Returns ms and the largest lead. */
async function frames (tx: Sink, rx: Sink, to: RuntimePeer, bytes: number): Promise<{ ms: number, leadMb: number }> {
  const n = Math.ceil(bytes / BLOB)
  const blob: Probe = { type: 'blob', data: new Uint8Array(BLOB).fill(1) }
  const t0 = performance.now()
  let lead = 0
  for (let i = 0; i < n; i++) {
    await (tx.net as NetPort<Probe>).send(to.id, blob)
    lead = Math.max(lead, (i + 1) * BLOB - rx.frameBytes)
  }
  for (let i = 0; i < 6000 && rx.frameBytes < n * BLOB; i++) await new Promise(resolve => setTimeout(resolve, 5))
  if (rx.frameBytes < n * BLOB) throw new Error(`frames: only ${rx.frameBytes} of ${n * BLOB} bytes arrived`)
  return { ms: performance.now() - t0, leadMb: lead / MiB }
}

async function bulk (tx: Sink, rx: Sink, to: RuntimePeer, bytes: number): Promise<{ ms: number, leadMb: number }> {
  const done = new Promise<void>(resolve => { rx.bulkDone = resolve })
  const piece = new Uint8Array(256 * 1024).fill(2)
  const t0 = performance.now()
  const w = await (tx.net as NetPort<Probe>).openBulk(to.id, { type: 'ping', n: bytes, text: 'bench' })
  let lead = 0
  for (let off = 0; off < bytes; off += piece.length) {
    await w.write(piece.subarray(0, Math.min(piece.length, bytes - off)))
    lead = Math.max(lead, w.bytes - rx.bulkBytes)
  }
  await w.close()
  await done
  return { ms: performance.now() - t0, leadMb: lead / MiB }
}

export async function run (args: string[]): Promise<BenchReport> {
  const size = num(args, '--mib', 32) * MiB
  const capped = num(args, '--capped-mib', 12) * MiB
  const cap = num(args, '--cap', 4_000_000)
  const transport = args.includes('--transport') && args[args.indexOf('--transport') + 1] === 'tcp' ? 'tcp' : 'memory'
  const swarms: Swarm[] = []
  try {
    const free = await pair(transport, {}, swarms)
    const fFree = await frames(free.tx, free.rx, free.receiver, size)
    const bFree = await bulk(free.tx, free.rx, free.receiver, size)
    const slow = await pair(transport, { downloadBps: cap }, swarms)
    const fCap = await frames(slow.tx, slow.rx, slow.receiver, capped)
    const bCap = await bulk(slow.tx, slow.rx, slow.receiver, capped)
    const mbps = (b: number, ms: number): number => b / 1e6 / (ms / 1000)
    const rows: Cell[][] = [
      ['frames (60 KiB)', 'none', size / MiB, Math.round(fFree.ms), mbps(size, fFree.ms), null, fFree.leadMb],
      ['bulk', 'none', size / MiB, Math.round(bFree.ms), mbps(size, bFree.ms), null, bFree.leadMb],
      ['frames (60 KiB)', `${cap / 1e6} MB/s down`, capped / MiB, Math.round(fCap.ms), mbps(capped, fCap.ms), mbps(capped, fCap.ms) / (cap / 1e6), fCap.leadMb],
      ['bulk', `${cap / 1e6} MB/s down`, capped / MiB, Math.round(bCap.ms), mbps(capped, bCap.ms), mbps(capped, bCap.ms) / (cap / 1e6), bCap.leadMb]
    ]
    return {
      bench: 'bulk',
      environment: { ...environment(), transport },
      tables: [{
        title: `two peers on libp2p (${transport} transport, Noise, yamux)`,
        columns: ['path', 'receiver cap', 'MiB', 'ms', 'MB/s', 'rate/cap', 'max lead MiB'],
        rows,
        note: 'max lead: most bytes the sender had handed to the transport beyond what the receiving actor had read (bounded by the reader\'s high-water mark plus the yamux window, not by the payload).'
      }],
      ratios: {
        'bulk/frames.throughput': mbps(size, bFree.ms) / mbps(size, fFree.ms),
        'capped.frames.rate/cap': mbps(capped, fCap.ms) / (cap / 1e6),
        'capped.bulk.rate/cap': mbps(capped, bCap.ms) / (cap / 1e6)
      }
    }
  } finally {
    await Promise.all(swarms.map(async s => { await s.stop() }))
  }
}
