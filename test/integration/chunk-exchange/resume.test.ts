import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { overlay } from '../../../config/schema.ts'
import { peerSchema } from '../../../config/peer-config.ts'
import { createPeer } from '../../../node/peer.ts'
import { swarmBaseConfig } from '../../../node/swarm.ts'
import { chunks, fileSha256, randomFile, tempDir, within } from './helpers.ts'

interface Line { event: string, have: number, of: number, state?: string, location?: string }

const FIXTURE = new URL('../../fixtures/chunk-leecher.ts', import.meta.url).pathname

function startLeecher (args: string[]): { child: ChildProcess, lines: AsyncIterable<Line>, stderr: () => string } {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const lines = (async function * () { for await (const l of rl) if (l.startsWith('{')) yield JSON.parse(l) as Line })()
  return { child, lines, stderr: () => err }
}

describe('chunk exchange: kill -9 and resume (real child process)', function () {
  this.timeout(90_000)

  it('a leecher killed with SIGKILL mid-download resumes from its verified chunks after restart', async () => {
    const tmp = await tempDir('cx-resume')
    const seed = await createPeer(overlay(peerSchema, swarmBaseConfig('tcp'), {
      node: { dataDir: join(tmp.dir, 'seed'), logLevel: 'error' },
      // 400 kB/s: a 4 MiB file takes ~10 s, time enough to kill the leecher halfway.
      net: { uploadBps: 400_000 },
      chunks: { chunkSize: 64 * 1024 }
    }, 'seed'))
    try {
      const src = await randomFile(tmp.dir, 'source.bin', 4 * 1024 * 1024)
      const shared = await chunks(seed).share(src.path)
      const out = join(tmp.dir, 'download.bin')
      const args = [join(tmp.dir, 'leecher'), seed.multiaddrs()[0], shared.link, out]

      const first = startLeecher(args)
      let before = 0
      await within((async () => {
        for await (const l of first.lines) {
          if (l.event === 'progress') before = l.have
          if (l.of > 0 && l.have >= l.of * 0.3) break
        }
      })(), 40_000, `first run reaching 30 % (stderr: ${first.stderr().slice(-500)})`)
      const exited = new Promise(resolve => first.child.once('exit', resolve))
      first.child.kill('SIGKILL')
      await exited
      assert.ok(before > 0 && before < 64, `killed at ${before} of 64 chunks`)
      await access(out + '.part')

      const second = startLeecher(args)
      let resumedAt = -1
      let done: Line | undefined
      await within((async () => {
        for await (const l of second.lines) {
          if (resumedAt < 0 && l.event === 'progress' && l.of > 0) resumedAt = l.have
          if (l.event === 'done') { done = l; break }
        }
      })(), 60_000, `second run completing (stderr: ${second.stderr().slice(-500)})`)
      await new Promise(resolve => second.child.once('exit', resolve))
      // The progress record trails the file by the chunks written while one LevelDB put is in
      // flight (file-storage.ts): ~6 chunks/s arrive here, so a put slow under load costs a few.
      assert.ok(resumedAt >= before - 4, `restart began at ${resumedAt} verified chunks, had ${before} before the kill`)
      assert.ok(resumedAt > 0, 'resumed, not restarted from zero')
      assert.equal(done?.have, 64)
      assert.equal(await fileSha256(out), src.sha256)
    } finally {
      await seed.stop()
      await tmp.remove()
    }
  })
})
