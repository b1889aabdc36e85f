/**
 * `npm run bench -- relay [--mib N]`: a chunk-exchange transfer (64 MiB by default) between
 * two peers behind separate NATs through a supernode relay, next to the same transfer
 * between two public peers in the same run; plus the supernode's CPU time per relayed MiB
 * (utime + stime from /proc/<pid>/stat). Runs real `peerhive` processes in the network
 * namespaces of test/nat/netns.ts (needs root, ip and iptables).
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NatRig } from '../test/nat/netns.ts'
import { environment, type BenchReport } from './report.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const peerhive = join(root, 'bin', 'peerhive')
const caller = join(root, 'test', 'nat', 'call.ts')
const PORT = '4001'
/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_S = 100

interface Proc { id: string, proc: ChildProcess, dataDir: string, host: string }

function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S // utime, stime (fields 14, 15)
}

export async function run (args: string[]): Promise<BenchReport> {
  const mibArg = args.indexOf('--mib')
  const mib = mibArg >= 0 ? Number(args[mibArg + 1]) : 64
  // `--set section.field=value` (repeatable): config for every peer, to try tunings on both paths alike.
  const sets = args.flatMap((a, i) => a === '--set' && args[i + 1]?.includes('=') === true ? ['--' + args[i + 1].split('=')[0], args[i + 1].split('=').slice(1).join('=')] : [])
  const rig = NatRig.create({ publicHosts: ['boot', 'super', 'p1', 'p2'], lans: [{ name: 'lan1', hosts: ['a'] }, { name: 'lan2', hosts: ['b'] }] })
  const tmp = await mkdtemp(join(tmpdir(), 'peerhive-bench-relay-'))
  try {
    const ip = (h: string): string => rig.host(h).ip
    const start = async (host: string, extra: string[]): Promise<Proc> => {
      const dataDir = join(tmp, host)
      const proc = rig.spawn(host, peerhive, ['start', '--json', '--data-dir', dataDir, '--node.logLevel', 'warn',
        '--net.inboundConnectionThreshold', '1000', '--relay.checkIntervalMs', '500', ...sets, ...extra])
      proc.stderr?.resume()
      const id = await new Promise<string>((resolve, reject) => {
        let out = ''
        const timer = setTimeout(() => reject(new Error(`${host} did not start`)), 30_000)
        proc.stdout?.on('data', d => {
          out += d.toString()
          const line = out.split('\n').find(l => l.startsWith('{'))
          if (line !== undefined) { clearTimeout(timer); resolve((JSON.parse(line) as { peerId: string }).peerId) }
        })
        proc.once('exit', code => { clearTimeout(timer); reject(new Error(`${host} exited ${code}`)) })
      })
      return { id, proc, dataDir, host }
    }
    const call = (p: Proc, method: string, params: unknown, stream = false, timeoutMs = 30_000): unknown[] =>
      rig.exec(p.host, process.execPath, [caller, p.dataDir, method, JSON.stringify(params), ...(stream ? ['--stream'] : [])], timeoutMs)
        .trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    const boot = await start('boot', ['--net.listen', `/ip4/${ip('boot')}/tcp/${PORT}`, '--relay.role', 'ordinary', '--relay.attach', 'never', '--chunks.tracker', 'true'])
    const bootAddr = `/ip4/${ip('boot')}/tcp/${PORT}/p2p/${boot.id}`
    const sup = await start('super', ['--net.listen', `/ip4/${ip('super')}/tcp/${PORT}`, '--net.bootstrap', bootAddr, '--relay.role', 'super'])
    const pub = (h: string): Promise<Proc> => start(h, ['--net.listen', `/ip4/${ip(h)}/tcp/${PORT}`, '--net.bootstrap', bootAddr, '--relay.role', 'ordinary', '--relay.attach', 'never'])
    const nat = (h: string): Promise<Proc> => start(h, ['--net.listen', `/ip4/0.0.0.0/tcp/${PORT}`, '--net.bootstrap', bootAddr, '--relay.role', 'ordinary', '--relay.attach', 'always', '--relay.holePunch', 'false'])
    const [p1, p2, a, b] = [await pub('p1'), await pub('p2'), await nat('a'), await nat('b')]
    for (const p of [a, b]) {
      for (let i = 0; i < 120; i++) {
        const st = call(p, 'relay.status', {})[0] as { supernode?: string, relayedAddrs: string[] }
        if (st.supernode === sup.id && st.relayedAddrs.length > 0) break
        if (i === 119) throw new Error(`${p.host} did not attach to the supernode`)
        await new Promise(resolve => setTimeout(resolve, 250))
      }
    }
    const transfer = async (from: Proc, to: Proc, label: string): Promise<{ seconds: number, superCpu: number, fromCpu: number, toCpu: number }> => {
      const content = randomBytes(mib * 1024 * 1024)
      const src = join(from.dataDir, `${label}.bin`)
      await writeFile(src, content)
      const { link } = call(from, 'chunks.share', { path: src }, false, 120_000)[0] as { link: string }
      const out = join(to.dataDir, `${label}-got.bin`)
      // The rig's process is `ip netns exec`, which execs peerhive: same pid.
      const pids = [sup, from, to].map(p => p.proc.pid as number)
      const cpu0 = pids.map(cpuSeconds)
      const t0 = performance.now()
      call(to, 'chunks.get', { link, out }, true, 600_000)
      const seconds = (performance.now() - t0) / 1000
      const [superCpu, fromCpu, toCpu] = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i])
      const got = await readFile(out)
      if (!got.equals(content)) throw new Error(`${label}: downloaded bytes differ`)
      return { seconds, superCpu, fromCpu, toCpu }
    }
    const direct = await transfer(p1, p2, 'direct')
    const relayed = await transfer(b, a, 'relayed')
    const mbps = (s: number): number => mib / s
    return {
      bench: 'relay',
      environment: { ...environment(), mib, ...(sets.length > 0 ? { set: sets.join(' ') } : {}) },
      tables: [{
        title: `${mib} MiB chunk-exchange transfer, real peerhive processes in network namespaces`,
        columns: ['path', 'seconds', 'MiB/s', 'supernode CPU s', 'supernode CPU ms/MiB', 'sender CPU s', 'receiver CPU s'],
        rows: [
          ['direct (two public peers)', direct.seconds, mbps(direct.seconds), direct.superCpu, 1000 * direct.superCpu / mib, direct.fromCpu, direct.toCpu],
          ['relayed (NAT A <- supernode <- NAT B)', relayed.seconds, mbps(relayed.seconds), relayed.superCpu, 1000 * relayed.superCpu / mib, relayed.fromCpu, relayed.toCpu]
        ],
        note: 'CPU from /proc/<pid>/stat (utime+stime) over the transfer; the direct row\'s supernode CPU is its idle cost. CPU s near seconds means that process was CPU-bound.'
      }],
      ratios: {
        'relay.throughput.relayed_over_direct': mbps(relayed.seconds) / mbps(direct.seconds),
        'relay.supernode.cpu_ms_per_relayed_mib': 1000 * relayed.superCpu / mib,
        'relay.endpoints.cpu_ms_per_mib.relayed_over_direct': (relayed.fromCpu + relayed.toCpu) / Math.max(1e-9, direct.fromCpu + direct.toCpu)
      }
    }
  } finally {
    rig.destroy()
    await rm(tmp, { recursive: true, force: true })
  }
}
