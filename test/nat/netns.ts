/**
 * A real-NAT rig in Linux network namespaces, built with `ip` and `iptables` only:
 *
 *            public segment 10.77.0.0/24 (bridge in namespace <p>switch)
 *        +---------+-----------+-----------------+-----------------+
 *      public hosts (10.77.0.2..)   router lan1 (10.77.0.101)   router lan2 (10.77.0.102)
 *                                     | MASQUERADE, drops         | MASQUERADE, drops
 *                                     | unsolicited inbound       | unsolicited inbound
 *                                   192.168.71.0/24             192.168.72.0/24
 *                                   hosts .2, .3...             hosts .2, .3...
 *
 * Nothing is linked to the host's own interfaces: every veth is created directly inside
 * the namespaces it joins, and no namespace has a route out of 10.77/16 and 192.168.7x/24.
 * Every namespace name starts with a per-run prefix (`phnat-<pid>-<tag>-`), so `destroy()`
 * removes exactly what this run made and `cleanupStale()` removes a crashed run's leftovers
 * (prefixes whose pid is no longer alive).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'

export const NS_ROOT = 'phnat-'
export const PUBLIC_SUBNET = '10.77.0'
/** LAN i (0-based) uses 192.168.(71+i).0/24; its router's WAN address is 10.77.0.(101+i). */
export const LAN_SUBNET_BASE = 71
const PUBLIC_HOST_BASE = 2
const ROUTER_WAN_BASE = 101

export interface NatRigSpec {
  /** Hosts on the public segment (bootstrap, supernodes...), in address order from 10.77.0.2. */
  publicHosts: string[]
  /** Private LANs, each behind its own NAT router; hosts numbered from .2. */
  lans: Array<{ name: string, hosts: string[] }>
}

export interface RigHost {
  name: string
  /** Namespace to run processes in. */
  ns: string
  ip: string
  /** 'public' or the LAN's name. */
  segment: string
}

export class NatRigError extends Error {
  readonly step: string
  constructor (step: string, cause: unknown) {
    // A timed-out command has empty stderr: say so, and keep the tail of what it printed.
    const c = cause as { stderr?: Buffer | string, stdout?: Buffer | string, signal?: string, code?: string }
    const err = c.stderr?.toString().trim() ?? ''
    const out = c.stdout?.toString().trim().split('\n').slice(-5).join('\n') ?? ''
    const how = c.code === 'ETIMEDOUT' ? 'timed out' : c.signal != null ? `killed by ${c.signal}` : (cause as Error).message
    const detail = [err !== '' ? err : how, out !== '' ? `last output:\n${out}` : ''].filter(x => x !== '').join('\n')
    super(`nat rig: ${step} failed: ${detail}`, { cause })
    this.name = 'NatRigError'
    this.step = step
  }
}

/** Run one command, throwing a NatRigError that names the step on failure. */
export function sh (cmd: string, args: string[], step = `${cmd} ${args.join(' ')}`, timeoutMs = 10_000): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs }).toString()
  } catch (err) {
    throw new NatRigError(step, err)
  }
}

/** Whether `ip` and `iptables` are present (the rig fails loudly without them). */
export function missingTools (): string[] {
  const missing: string[] = []
  for (const tool of ['ip', 'iptables']) {
    try { execFileSync(tool, ['-V'], { stdio: 'ignore', timeout: 5000 }) } catch { missing.push(tool) }
  }
  return missing
}

export function listNamespaces (): string[] {
  return sh('ip', ['netns', 'list']).split('\n').map(l => l.trim().split(/\s+/)[0]).filter(n => n !== undefined && n !== '')
}

/** Delete every namespace of runs whose process is gone (or, with `all`, every rig namespace). */
export function cleanupStale (all = false): string[] {
  const removed: string[] = []
  for (const ns of listNamespaces()) {
    if (!ns.startsWith(NS_ROOT)) continue
    const pid = Number(ns.slice(NS_ROOT.length).split('-')[0])
    if (!all && Number.isInteger(pid) && pidAlive(pid)) continue
    killNamespaceProcesses(ns)
    try { sh('ip', ['netns', 'del', ns]); removed.push(ns) } catch { /* already gone */ }
  }
  return removed
}

function pidAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Processes still running inside a namespace keep it alive; end the ones we find there. */
function killNamespaceProcesses (ns: string): void {
  let pids: number[] = []
  try { pids = sh('ip', ['netns', 'pids', ns]).split('\n').map(Number).filter(p => Number.isInteger(p) && p > 0) } catch { return }
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } }
}

export class NatRig {
  readonly prefix: string
  readonly hosts = new Map<string, RigHost>()
  readonly routers = new Map<string, { ns: string, wanIp: string, lanSubnet: string }>()
  private readonly created: string[] = []
  private readonly children = new Set<ChildProcess>()
  private destroyed = false

  private constructor (prefix: string) {
    this.prefix = prefix
  }

  /** Build the rig; on any failure, whatever was made is torn down before the error propagates. */
  static create (spec: NatRigSpec): NatRig {
    const missing = missingTools()
    if (missing.length > 0) throw new NatRigError('tools', new Error(`missing ${missing.join(', ')} (apt-get install -y iproute2 iptables)`))
    cleanupStale()
    const rig = new NatRig(`${NS_ROOT}${process.pid}-${randomBytes(2).toString('hex')}-`)
    try {
      rig.build(spec)
    } catch (err) {
      rig.destroy()
      throw err
    }
    return rig
  }

  host (name: string): RigHost {
    const h = this.hosts.get(name)
    if (h === undefined) throw new Error(`nat rig: no host ${name}`)
    return h
  }

  private addNs (short: string): string {
    const ns = this.prefix + short
    sh('ip', ['netns', 'add', ns])
    this.created.push(ns)
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    return ns
  }

  /** A veth pair created directly inside its two namespaces (never in the host's). */
  private veth (nsA: string, ifA: string, nsB: string, ifB: string): void {
    sh('ip', ['link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB])
    sh('ip', ['-n', nsA, 'link', 'set', ifA, 'up'])
    sh('ip', ['-n', nsB, 'link', 'set', ifB, 'up'])
  }

  private bridge (ns: string, br: string): void {
    sh('ip', ['-n', ns, 'link', 'add', br, 'type', 'bridge'])
    sh('ip', ['-n', ns, 'link', 'set', br, 'up'])
  }

  private build (spec: NatRigSpec): void {
    const pub = this.addNs('switch')
    this.bridge(pub, 'br0')
    let port = 0
    const attachPublic = (ns: string, ifName: string, ip: string): void => {
      const sw = `p${port++}`
      this.veth(ns, ifName, pub, sw)
      sh('ip', ['-n', pub, 'link', 'set', sw, 'master', 'br0'])
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', ifName])
    }
    spec.publicHosts.forEach((name, i) => {
      const ns = this.addNs(`h-${name}`)
      const ip = `${PUBLIC_SUBNET}.${PUBLIC_HOST_BASE + i}`
      attachPublic(ns, 'eth0', ip)
      this.hosts.set(name, { name, ns, ip, segment: 'public' })
    })
    spec.lans.forEach((lan, i) => {
      const net = `192.168.${LAN_SUBNET_BASE + i}`
      const rns = this.addNs(`r-${lan.name}`)
      const wanIp = `${PUBLIC_SUBNET}.${ROUTER_WAN_BASE + i}`
      attachPublic(rns, 'wan', wanIp)
      this.bridge(rns, 'lan')
      sh('ip', ['-n', rns, 'addr', 'add', `${net}.1/24`, 'dev', 'lan'])
      this.natRouter(rns, `${net}.0/24`)
      this.routers.set(lan.name, { ns: rns, wanIp, lanSubnet: `${net}.0/24` })
      lan.hosts.forEach((name, j) => {
        const ns = this.addNs(`h-${name}`)
        const ip = `${net}.${2 + j}`
        this.veth(ns, 'eth0', rns, `l${j}`)
        sh('ip', ['-n', rns, 'link', 'set', `l${j}`, 'master', 'lan'])
        sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
        sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', `${net}.1`])
        this.hosts.set(name, { name, ns, ip, segment: lan.name })
      })
    })
  }

  /**
   * A home router: LAN traffic leaves masqueraded as the WAN address; from the WAN only
   * replies to connections the LAN opened get in (forwarded or to the router itself).
   */
  private natRouter (ns: string, lanSubnet: string): void {
    const ipt = (...args: string[]): void => { sh('ip', ['netns', 'exec', ns, 'iptables', ...args]) }
    sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    ipt('-t', 'nat', '-A', 'POSTROUTING', '-s', lanSubnet, '-o', 'wan', '-j', 'MASQUERADE')
    ipt('-P', 'FORWARD', 'DROP')
    ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-j', 'ACCEPT')
    ipt('-A', 'FORWARD', '-i', 'wan', '-o', 'lan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
    ipt('-P', 'INPUT', 'DROP')
    ipt('-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT')
    ipt('-A', 'INPUT', '-i', 'lan', '-j', 'ACCEPT')
    ipt('-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
  }

  /** Start a process inside a host's namespace; it is killed on `destroy()`. */
  spawn (hostName: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error('nat rig: already destroyed')
    const child = spawn('ip', ['netns', 'exec', this.host(hostName).ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    return child
  }

  /** Run a command to completion (bounded by `timeoutMs`) inside a host's namespace. */
  exec (hostName: string, cmd: string, args: string[], timeoutMs = 10_000): string {
    return sh('ip', ['netns', 'exec', this.host(hostName).ns, cmd, ...args], `${hostName}: ${cmd} ${args.join(' ')}`, timeoutMs)
  }

  /** Kill our processes, then delete every namespace this run created. Idempotent. */
  destroy (): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const c of this.children) { try { c.kill('SIGKILL') } catch { /* gone */ } }
    for (const ns of [...this.created].reverse()) {
      killNamespaceProcesses(ns)
      try { sh('ip', ['netns', 'del', ns]) } catch { /* reported by leftovers() */ }
    }
  }

  /** Namespaces of this run still present (empty after a clean destroy). */
  leftovers (): string[] {
    return listNamespaces().filter(n => n.startsWith(this.prefix))
  }
}

// `node test/nat/netns.ts cleanup [--all]`: remove rig namespaces left by crashed runs.
if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'cleanup') {
  const removed = cleanupStale(process.argv.includes('--all'))
  process.stdout.write(removed.length === 0 ? 'nothing to clean\n' : `removed ${removed.join(' ')}\n`)
}
