import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ConfigFlag } from '../../../config/flags.ts'
import type { Command, Invocation } from '../builtin.ts'
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../exit-codes.ts'
import { renderTable, shortId } from '../table.ts'
import { SwarmChild } from './child.ts'
import { snapshot, type SwarmRow } from './snapshot.ts'

/** The table refreshes (and peers are polled) this often. */
const REFRESH_MS = 1000
/** Deadline of one status poll: shorter than a refresh so a stuck peer cannot stall the table. */
const POLL_TIMEOUT_MS = 900
/** Every peer must be up (control API answering) within this long, or the swarm reports failure. */
const STARTUP_TIMEOUT_MS = 120_000
/** Each child gets this long after SIGTERM to shut down gracefully before SIGKILL. */
const STOP_GRACE_MS = 15_000
/** A sanity bound: each peer is a full Node process (tens of MB). */
const MAX_PEERS = 200

const LAN_PROFILE = fileURLToPath(new URL('../../../config/lan.json', import.meta.url))

/**
 * Loopback-only, LAN limits, no mDNS (multicast would leave loopback): the children find
 * each other through the bootstrap peer alone. Later flags win, so the user's own
 * `--section.field` flags (forwarded after these) can still override.
 */
function childConfigArgs (configFile: string | undefined, dataDir: string, forwarded: readonly ConfigFlag[]): string[] {
  return [
    '--config', configFile ?? LAN_PROFILE,
    '--net.listen', '/ip4/127.0.0.1/tcp/0',
    '--net.mdns', 'false',
    '--control.port', '0',
    ...forwarded.flatMap(f => [`${f.flag}=${f.value}`]),
    '--data-dir', dataDir
  ]
}

export const swarmCommand: Command = {
  path: ['swarm'],
  summary: 'Start one bootstrap and N peer processes on 127.0.0.1 and show a live table; Ctrl-C stops them all.',
  usage: 'peerhive swarm --peers N [--duration S] [--json] [--config path] [--<section>.<field> value ...]',
  description: [
    'Each peer runs `peerhive start` in its own process and data dir under a temp dir (removed at the end),',
    'listening on 127.0.0.1 with the LAN profile (config/lan.json unless --config is given) and wired to the bootstrap.',
    'Config flags are passed on to every child. --duration S stops the swarm S seconds after every peer is up.',
    'The table: peer, address, connections, connected to the bootstrap, actors running/failed, mailbox drops.',
    '--json prints one final JSON report instead of the table. Exit code 1 if any peer was not running at the end.'
  ].join('\n'),
  options: [
    { name: 'peers', short: 'n', type: 'string', doc: 'Number of peer processes (besides the bootstrap).' },
    { name: 'duration', type: 'string', doc: 'Stop after this many seconds once all peers are up (default: until Ctrl-C).' }
  ],
  run: runSwarm
}

function positiveInt (v: unknown, name: string, max: number): number {
  const n = Number(v)
  if (typeof v !== 'string' || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`swarm: --${name}: expected an integer from 1 to ${max}, got ${JSON.stringify(v) ?? 'nothing'}`)
  return n
}

async function runSwarm (inv: Invocation): Promise<number> {
  const peers = positiveInt(inv.flags.peers, 'peers', MAX_PEERS)
  const durationS = inv.flags.duration === undefined ? undefined : positiveInt(inv.flags.duration, 'duration', 7 * 24 * 3600)
  const forwarded = inv.configArgs.flags.filter(f => !(f.section === 'node' && f.field === 'dataDir'))
  const configFile = inv.configArgs.configFile !== undefined ? resolve(inv.configArgs.configFile) : undefined
  const root = await mkdtemp(join(tmpdir(), 'peerhive-swarm-'))
  const children: SwarmChild[] = []
  const started = Date.now()

  let interrupted: string | undefined
  let wake: (() => void) | undefined
  let onInterrupt!: () => void
  const interruptedP = new Promise<never>((_resolve, reject) => { onInterrupt = () => reject(new Error('interrupted while starting')) })
  interruptedP.catch(() => {}) // only raced against startup; a signal is reported through `interrupted`
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal
    wake?.()
    onInterrupt()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const pause = async (ms: number): Promise<void> => {
    if (interrupted !== undefined) return
    const ac = new AbortController()
    wake = () => ac.abort()
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => {}) // aborted by a signal: stop waiting
    wake = undefined
  }

  let final: SwarmRow[] = []
  let failure: string | undefined
  try {
    const spawnChild = (label: string, args: string[]): SwarmChild => {
      const dir = join(root, label)
      const c = new SwarmChild(label, dir, [...inv.self, ...args, ...childConfigArgs(configFile, dir, forwarded)], inv.io.env)
      children.push(c)
      return c
    }
    const boot = spawnChild('bootstrap', ['bootstrap', '--json'])
    const startup = new AbortController()
    const bootInfo = await Promise.race([
      boot.ready,
      interruptedP,
      sleep(STARTUP_TIMEOUT_MS, undefined, { signal: startup.signal }).then(() => { throw new Error(`bootstrap not up within ${STARTUP_TIMEOUT_MS / 1000} s: ${boot.lastError()}`) })
    ]).finally(() => startup.abort()) as { peerId: string, multiaddrs: string[] }
    const bootAddr = bootInfo.multiaddrs.find(a => a.includes('/127.0.0.1/')) ?? bootInfo.multiaddrs[0]
    if (bootAddr === undefined) throw new Error('bootstrap reported no multiaddr')
    for (let i = 1; i <= peers && interrupted === undefined; i++) spawnChild(`peer-${i}`, ['start', '--json', '--net.bootstrap', bootAddr])

    const poll = async (): Promise<SwarmRow[]> => await Promise.all(children.map(async (c, i) => await snapshot(c, i === 0 ? 'bootstrap' : 'peer', bootInfo.peerId, POLL_TIMEOUT_MS)))
    let upSince: number | undefined
    for (let round = 0; ; round++) {
      const rows = await poll()
      final = rows
      if (!inv.json) draw(inv, rows, started, durationS, upSince)
      const allUp = rows.every(r => r.state === 'running')
      if (allUp && upSince === undefined) upSince = Date.now()
      if (interrupted !== undefined) break
      if (rows.some(r => r.state === 'exited')) {
        failure = 'a swarm process exited: ' + rows.filter(r => r.state === 'exited').map(r => `${r.label} (code ${String(r.exitCode)}: ${r.error ?? ''})`).join('; ')
        break
      }
      if (upSince === undefined && Date.now() - started > STARTUP_TIMEOUT_MS) {
        failure = `not every peer was up within ${STARTUP_TIMEOUT_MS / 1000} s`
        break
      }
      if (durationS !== undefined && upSince !== undefined && Date.now() - upSince >= durationS * 1000) break
      await pause(REFRESH_MS)
    }
  } catch (err) {
    failure = interrupted !== undefined ? `interrupted (${interrupted}) before every peer was up` : (err as Error).message
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (!inv.json) inv.io.err(`stopping ${children.length} processes${interrupted !== undefined ? ` (${interrupted})` : ''}...`)
    const codes = await Promise.all(children.map(async c => await c.stop(STOP_GRACE_MS)))
    await rm(root, { recursive: true, force: true })
    const unclean = children.filter((c, i) => codes[i] !== 0 && final[i]?.state === 'running')
    if (unclean.length > 0 && failure === undefined) failure = `unclean shutdown: ${unclean.map(c => `${c.label} exited ${String(c.exitCode)}`).join(', ')}`
  }

  const ok = failure === undefined && final.length === peers + 1 && final.every(r => r.state === 'running')
  if (inv.json) {
    inv.io.out(JSON.stringify({
      ok,
      peers: final.filter(r => r.role === 'peer'),
      bootstrap: final.find(r => r.role === 'bootstrap') ?? null,
      runningMs: Date.now() - started,
      ...(failure !== undefined ? { error: failure } : {})
    }))
  } else {
    inv.io.err(ok ? `swarm of ${peers} peers stopped cleanly` : `swarm failed: ${failure ?? 'not every peer was running'}`)
  }
  return ok ? EXIT_OK : EXIT_FAILURE
}

function draw (inv: Invocation, rows: SwarmRow[], started: number, durationS: number | undefined, upSince: number | undefined): void {
  const tty = process.stdout.isTTY === true
  const elapsed = ((Date.now() - started) / 1000).toFixed(0)
  const left = durationS !== undefined && upSince !== undefined ? `, stopping in ${Math.max(0, durationS - Math.floor((Date.now() - upSince) / 1000))} s` : ''
  const lines = [
    `peerhive swarm: ${rows.length - 1} peers + bootstrap, ${rows.filter(r => r.state === 'running').length} running, ${elapsed} s${left} (Ctrl-C stops all)`,
    ...renderTable(['', 'peer', 'address', 'state', 'conns', 'boot', 'actors ok/failed', 'drops'], rows.map(r => [
      r.label, r.peerId !== null ? shortId(r.peerId) : '-', r.address?.replace(/\/p2p\/.*$/, '') ?? '-', r.state === 'exited' ? `exited ${String(r.exitCode)}` : r.state,
      r.connections, r.role === 'bootstrap' ? '-' : r.connectedToBootstrap ? 'yes' : 'no', `${r.actorsOk}/${r.actorsFailed}`, r.mailboxDrops
    ]))
  ]
  if (tty) process.stdout.write('\x1b[H\x1b[2J')
  for (const l of lines) inv.io.out(l)
  if (!tty) inv.io.out('')
}
