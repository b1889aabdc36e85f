import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simulate } from '../../node/sim/simulate.ts'
import { renderReport } from '../../node/sim/report/html.ts'
import { blobWorkload } from './blob-workload.ts'
import { decodePng } from './png.ts'

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars']

function findChromium (): string {
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('which', [name], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim()
  }
  assert.fail('chromium not found on PATH: the report test renders the HTML report in headless Chromium. Install it with `apt-get install -y chromium` (Debian package `chromium`; .ci/run must install it).')
}

describe('sim report', function () {
  this.timeout(60_000)
  let dir = ''
  before(() => { dir = mkdtempSync(join(tmpdir(), 'peerhive-sim-report-')) })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('writes one self-contained HTML page with every plot, and it renders non-blank in headless Chromium', async () => {
    const chromium = findChromium()
    const seed = 11
    const res = await simulate({
      seed,
      workload: blobWorkload({ blocks: 40, blockSize: 10_000, window: 4 }),
      peers: [{ count: 1, role: 'seed', uploadBps: 200_000 }, { count: 6, role: 'leecher', joinAt: 0, joinSpreadMs: 2_000 }],
      until: 60_000
    })
    assert.equal(res.swarm.completed, 6, `reproduce with seed=${seed}`)
    const html = renderReport({
      title: 'peerhive sim report test',
      runs: [res],
      sweep: [1, 2, 4, 8].map(n => ({ n, simulatedS: n * 1.1, dP2PS: n, dCsS: n * 2 }))
    })
    for (const title of ['Completion time per peer (CDF)', 'Distribution time vs N', 'Chunk availability over time', 'Upload share per peer', 'DHT lookup hops', 'Search recall vs TTL']) {
      assert.ok(html.includes(title), `missing plot: ${title}`)
    }
    assert.equal((html.match(/<svg /g) ?? []).length, 6)
    assert.doesNotMatch(html, /<script|<link |src="http|href="http|url\(/i, 'the page must not load anything')
    const page = join(dir, 'report.html')
    writeFileSync(page, html)
    const shot = join(dir, 'shot.png')
    execFileSync(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'profile')}`, `--screenshot=${shot}`, '--window-size=1280,1400', `file://${page}`], { stdio: 'pipe', timeout: 45_000 })
    assert.ok(existsSync(shot), 'chromium wrote no screenshot')
    const png = decodePng(readFileSync(shot))
    assert.equal(png.width, 1280)
    let ink = 0
    const colours = new Set<number>()
    for (let i = 0; i < png.rgba.length; i += 4) {
      const r = png.rgba[i]; const g = png.rgba[i + 1]; const b = png.rgba[i + 2]
      if (r + g + b < 600) ink++
      if ((i >> 2) % 7 === 0) colours.add((r << 16) | (g << 8) | b)
    }
    const inkShare = ink / (png.width * png.height)
    assert.ok(inkShare > 0.01, `screenshot looks blank: ${(inkShare * 100).toFixed(2)}% dark pixels`)
    assert.ok(colours.size > 20, `screenshot has only ${colours.size} colours: charts not drawn?`)
  })

  it('a sweep on to N = 100 and 1,000 keeps the linear chart to N <= 30 and adds a log-log chart of the whole sweep', () => {
    const ns = [...Array.from({ length: 30 }, (_, i) => i + 1), 100, 1000]
    const html = renderReport({ title: 'sweep', runs: [], sweep: ns.map(n => ({ n, simulatedS: 3600 * Math.max(1, n / 11) * 1.1, dP2PS: 3600 * Math.max(1, n / 11), dCsS: 360 * n })) })
    const svgs = html.split('<svg ').slice(1)
    const linear = svgs.find(s => s.includes('Distribution time vs N<'))
    const log = svgs.find(s => s.includes('whole sweep (log-log)'))
    assert.ok(linear !== undefined && log !== undefined, 'both sweep charts expected')
    for (const name of ['simulated', 'D_P2P bound', 'D_cs (client-server)']) {
      assert.ok(linear.includes(name) && log.includes(name), `curve ${name} missing`)
    }
    // The table lists every N, 1,000 included.
    assert.match(html, /<td>1000<\/td>/)
  })
})
