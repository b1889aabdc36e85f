import assert from 'node:assert/strict'
import { join } from 'node:path'
import { overlay } from '../../../config/schema.ts'
import { peerSchema } from '../../../config/peer-config.ts'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import { createSwarm, swarmBaseConfig } from '../../../node/swarm.ts'
import { chunks, fileSha256, randomFile, tempDir, within } from './helpers.ts'

/** Short periods so several rechoke and optimistic rounds fit in a small transfer. */
const CHUNKS = { tracker: true, chunkSize: 32 * 1024, rechokeIntervalMs: 1000, optimisticUnchokeIntervalMs: 3000, rateWindowMs: 5000 }
/**
 * Scarce upload: 10 reciprocating leechers and a free-rider each needing 8 MiB, 200 kB/s
 * upload each, the seed 300 kB/s. 8 MiB rather than 4: the contested period then spans ~16
 * rechokes and ~5 optimistic rounds instead of ~8 and ~3; at 4 MiB one lucky optimistic
 * unchoke could lift the free-rider to 0.93 of the reciprocating gain (seen once in CI).
 */
const LEECHERS = 10
const LEECHER_BPS = 200_000
const SEED_BPS = 300_000

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`

describe('chunk exchange: tit-for-tat against a free-rider', function () {
  this.timeout(180_000)

  it('a peer that never uploads gets measurably less than reciprocating peers when upload is scarce', async () => {
    const tmp = await tempDir('cx-freerider')
    // 10 reciprocating leechers: more than upload slots + 1, so someone is always choked.
    // Their upload (not the seed's) is the scarce resource.
    const swarm = await createSwarm({ size: LEECHERS, transport: 'tcp', store: 'level', dataDir: join(tmp.dir, 'peers'), config: { net: { uploadBps: LEECHER_BPS }, chunks: CHUNKS } })
    const bootAddrs = swarm.bootstrap?.multiaddrs() ?? []
    const extra = async (name: string, uploadBps: number, chunksCfg: Record<string, unknown>): Promise<RuntimePeer> => await createPeer(overlay(peerSchema, swarmBaseConfig('tcp'), {
      node: { dataDir: join(tmp.dir, name), logLevel: (name === 'rider' ? process.env.RIDER_LOG ?? 'error' : 'error') as 'error' },
      net: { bootstrap: bootAddrs, uploadBps },
      chunks: { ...CHUNKS, tracker: false, ...chunksCfg }
    }, name))
    const seed = await extra('seed', SEED_BPS, {})
    const rider = await extra('rider', LEECHER_BPS, { upload: false })
    try {
      await swarm.waitConnected({ minConnections: 1 })
      const leechers = swarm.peers
      const src = await randomFile(tmp.dir, 'source.bin', 8 * 1024 * 1024)
      const shared = await chunks(seed).share(src.path)
      const handles = await Promise.all([...leechers, rider].map(async (p, i) => await chunks(p).get(shared.link, { out: join(tmp.dir, `out-${i}.bin`), seed: true })))
      // Compare download progress over the contested period (reciprocating peers from 20 % to
      // 60 % on average): the start, when every newcomer is unchoked at once, is left out.
      const fraction = async (p: RuntimePeer): Promise<number> => {
        const st = (await chunks(p).status()).transfers.find(t => t.link === shared.link)
        return st === undefined || st.chunks === 0 ? 0 : st.chunksHave / st.chunks
      }
      const sample = async (): Promise<{ rider: number, others: number }> => {
        const f = await Promise.all([...leechers, rider].map(fraction))
        return { rider: f[leechers.length], others: f.slice(0, -1).reduce((a, b) => a + b, 0) / leechers.length }
      }
      const until = async (mean: number): Promise<{ rider: number, others: number }> => {
        for (let i = 0; i < 1200; i++) {
          const s = await sample()
          if (s.others >= mean) return s
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        throw new Error(`reciprocating peers did not reach ${mean * 100} % on average within 120 s`)
      }
      const from = await until(0.2)
      const to = await until(0.6)
      const riderGain = to.rider - from.rider
      const othersGain = to.others - from.others
      const riderFinal = await within(handles[leechers.length].done, 120_000, 'the free-rider completes')
      await within(Promise.all(handles.map(async h => await h.done)), 60_000, 'everyone completes')
      console.log(`      while reciprocating peers went from ${pct(from.others)} to ${pct(to.others)} on average, the free-rider went from ${pct(from.rider)} to ${pct(to.rider)}`)
      assert.equal(riderFinal.uploaded, 0, 'the free-rider never uploads')
      assert.equal(await fileSha256(join(tmp.dir, `out-${leechers.length}.bin`)), src.sha256)
      // Calibrated against a control run of this same scenario with choking effectively off
      // (uploadSlots 16 >= every peer): the free-rider then gains 0.95 of the reciprocating
      // mean (it always has requests waiting), and fails this bar. Tit-for-tat measured
      // 0.45-0.85 over 13 runs, the top of that range under heavy machine load, so 0.8 flaked.
      assert.ok(riderGain < 0.9 * othersGain, `over the contested period the free-rider gained ${pct(riderGain)}, reciprocating peers ${pct(othersGain)} on average`)
    } finally {
      await rider.stop()
      await seed.stop()
      await swarm.stop()
      await tmp.remove()
    }
  })
})
