import assert from 'node:assert/strict'
import { loadScenario } from '../../../node/sim/scenario-file.ts'
import { simulate } from '../../../node/sim/simulate.ts'
import { p2pBound } from '../../../node/sim/bounds.ts'
import { superSeedScale } from '../../../protocols/chunk-exchange/swarm.ts'

/**
 * The whole policy set (picker, choker, super-seeding, snub and pipeline sizing) against the
 * textbook bound, on virtual time: sim/textbook.json (F/u = 1 h, u_s = 10u, d = u_s) at a
 * small N, where the seed's own upload decides the bound, and at N = 10, where the leechers'
 * aggregate upload does. Deterministic: the seed reproduces the run bit for bit.
 */
describe('chunk exchange policies on the textbook example (virtual time)', function () {
  this.timeout(60_000)
  const base = loadScenario('textbook')
  for (const n of [3, 10]) {
    it(`N = ${n}: every leecher done within 1.2x of D_P2P, the seed busy and no copy of the file wasted`, async () => {
      const [seedGroup, leechGroup] = base.peers
      const r = await simulate({ ...base, sweep: undefined, peers: [seedGroup, { ...leechGroup, count: n }], keepTrace: false })
      const F = base.file?.sizeBytes as number
      const bound = p2pBound({ fileBytes: F, n, serverUploadBps: seedGroup.uploadBps as number, minDownloadBps: leechGroup.downloadBps as number, sumClientUploadBps: n * (leechGroup.uploadBps as number) })
      assert.equal(r.swarm.completed, n, `reproduce with seed=${String(base.seed)}: ${r.swarm.completed}/${n} complete`)
      const t = (r.swarm.distributionTimeMs as number) / 1000
      const seed = r.peers.find(p => p.role === 'seed')
      const downloaded = r.peers.filter(p => p.role !== 'seed').reduce((a, p) => a + p.bytesDown, 0)
      const seedUtil = (seed?.bytesUp ?? 0) / ((seedGroup.uploadBps as number) * t)
      console.log(`      N=${n}: ${t.toFixed(0)} s, D_P2P ${bound.toFixed(0)} s, ratio ${(t / bound).toFixed(3)}, seed utilisation ${seedUtil.toFixed(2)}, downloaded ${(downloaded / (n * F)).toFixed(3)} x N F`)
      assert.ok(t / bound <= 1.2, `reproduce with seed=${String(base.seed)}: ${t.toFixed(0)} s is ${(t / bound).toFixed(3)}x D_P2P`)
      assert.ok(seedUtil >= 0.85, `the seed's upload idled: utilisation ${seedUtil.toFixed(2)}`)
      assert.ok(downloaded / (n * F) <= 1.1, `duplicate blocks: leechers downloaded ${(downloaded / (n * F)).toFixed(3)} x N F`)
    })
  }

  it('one-block chunks: super-seeding offers enough chunks to keep the seed busy (N = 1 within 1.05x of F/u_s)', async () => {
    // 225 chunks of one 16 KiB block: with two offers (the 64 KiB-chunk limit) each offer
    // waited behind the pieces on the wire and the seed idled a round trip per two pieces (1.52x).
    assert.equal(superSeedScale(4), 1)
    assert.equal(superSeedScale(1), 4)
    const [seedGroup, leechGroup] = base.peers
    const file = { ...base.file, sizeBytes: base.file?.sizeBytes as number, chunkSize: 16384, blockSize: 16384 }
    const r = await simulate({ ...base, file, sweep: undefined, peers: [seedGroup, { ...leechGroup, count: 1 }], keepTrace: false })
    const bound = file.sizeBytes / (seedGroup.uploadBps as number)
    assert.equal(r.swarm.completed, 1, `reproduce with seed=${String(base.seed)}`)
    const t = (r.swarm.distributionTimeMs as number) / 1000
    console.log(`      N=1, 16 KiB chunks: ${t.toFixed(0)} s, F/u_s ${bound.toFixed(0)} s, ratio ${(t / bound).toFixed(3)}`)
    assert.ok(t / bound <= 1.05, `reproduce with seed=${String(base.seed)}: ${t.toFixed(0)} s is ${(t / bound).toFixed(3)}x F/u_s`)
  })

  it('flat swarm (seed and 8 leechers at 1 MB/s, 32 MiB): super-seeding spreads the file for about one copy; without it the seed sends far more, and later', async () => {
    // The bench's hard profile on virtual time. Measured: with super-seeding the spread cost
    // 1.08 copies, 1.11 in all, 1.12x D_P2P; without it the seed sent 1.44 copies and the
    // swarm took 1.45x D_P2P (rarest-first leechers ask the seed for the same rare chunks).
    const F = 32 * 1024 * 1024
    const up = 1_000_000
    const run = async (superSeed: boolean): Promise<{ t: number, copies: number, spread: number | undefined }> => {
      const r = await simulate({
        ...base,
        name: `flat-super-seed-${String(superSeed)}`,
        sweep: undefined,
        file: { sizeBytes: F, chunkSize: 256 * 1024, blockSize: 16 * 1024 },
        config: { chunks: { superSeed } },
        peers: [{ count: 1, role: 'seed', uploadBps: up, latencyMs: 5 }, { count: 8, role: 'leecher', uploadBps: up, downloadBps: 10 * up, latencyMs: 5 }],
        keepTrace: false
      })
      assert.equal(r.swarm.completed, 8, `reproduce with seed=${String(base.seed)}`)
      const seed = r.peers.find(p => p.role === 'seed')
      const spread = seed?.figures.uploadedToSpread
      return { t: (r.swarm.distributionTimeMs as number) / 1000, copies: (seed?.bytesUp ?? 0) / F, spread: spread === undefined ? undefined : spread / F }
    }
    const bound = F / up
    const on = await run(true)
    const off = await run(false)
    console.log(`      super-seeding: spread ${on.spread?.toFixed(3)} copies, ${on.copies.toFixed(3)} in all, ${(on.t / bound).toFixed(3)}x D_P2P; without: ${off.copies.toFixed(3)} copies, ${(off.t / bound).toFixed(3)}x`)
    assert.ok(on.spread !== undefined && on.spread <= 1.15, `reproduce with seed=${String(base.seed)}: the spread cost ${String(on.spread)} copies`)
    assert.ok(on.copies <= 1.2, `reproduce with seed=${String(base.seed)}: the seed uploaded ${on.copies.toFixed(3)} copies`)
    assert.ok(on.t / bound <= 1.2, `reproduce with seed=${String(base.seed)}: ${(on.t / bound).toFixed(3)}x D_P2P`)
    assert.ok(off.copies >= on.copies + 0.2 && off.t > on.t, `without super-seeding: ${off.copies.toFixed(3)} copies in ${off.t.toFixed(1)} s`)
  })

  it('a lone leecher on a fast, long link: super-seeding offers cover its pipeline (within 1.2x of F/u_s)', async () => {
    // 10 MB/s seed, 20 ms one way, 32 MiB in 256 KiB chunks of 64 KiB blocks. Two offers (8
    // blocks) drained at every chunk while the leecher's `have` travelled back: 2.21x F/u_s.
    // Offers sized by the pipeline its rate calls for (16 blocks) keep the seed's uplink busy: 1.08x.
    const F = 32 * 1024 * 1024
    const up = 10_000_000
    const r = await simulate({
      ...base,
      name: 'lone-fast-leecher',
      sweep: undefined,
      file: { sizeBytes: F, chunkSize: 256 * 1024, blockSize: 64 * 1024 },
      config: {},
      peers: [{ count: 1, role: 'seed', uploadBps: up, latencyMs: 10 }, { count: 1, role: 'leecher', uploadBps: up, downloadBps: up, latencyMs: 10 }],
      keepTrace: false
    })
    assert.equal(r.swarm.completed, 1, `reproduce with seed=${String(base.seed)}`)
    const t = (r.swarm.distributionTimeMs as number) / 1000
    const bound = F / up
    console.log(`      lone leecher, 10 MB/s, 20 ms: ${t.toFixed(2)} s, F/u_s ${bound.toFixed(2)} s, ratio ${(t / bound).toFixed(3)}`)
    assert.ok(t / bound <= 1.2, `reproduce with seed=${String(base.seed)}: ${t.toFixed(2)} s is ${(t / bound).toFixed(3)}x F/u_s`)
  })
})
