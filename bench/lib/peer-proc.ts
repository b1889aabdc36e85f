import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { NODE_FLAGS } from '../../node/cli/node-flags.ts'

/** After SIGTERM a child gets this long to stop its libp2p host and LevelDB before SIGKILL. */
const PEER_TERM_GRACE_MS = 3_000

/** A line a peer child printed (bench/_dist-peer.ts, bench/_two-peer-sink.ts): its `event` and that event's fields. */
export interface PeerLine { event: string, multiaddrs?: string[], link?: string, have?: number, of?: number, uploaded?: number, uploadedToSpread?: number, cpuS?: number, uncaught?: number, message?: string }

/** One benchmark peer in its own Node process: its stdout lines queued per event, its stdin for commands. */
export class PeerProc {
  readonly child: ChildProcess
  private readonly lines: PeerLine[] = []
  private wake: () => void = () => {}
  private exit: string | undefined
  private stderr = ''
  readonly name: string

  /** `script` (a .ts file) run with NODE_FLAGS and one argument, as every peerhive process is. */
  constructor (name: string, script: string, arg: string) {
    this.name = name
    this.child = spawn(process.execPath, [...NODE_FLAGS, script, arg], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-2000) })
    this.child.stdin?.on('error', () => {}) // a child that died is reported by next(), with its stderr
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
      if (!l.startsWith('{')) return
      this.lines.push(JSON.parse(l) as PeerLine)
      this.wake()
    })
    this.child.once('exit', (code, signal) => { this.exit = `exited with ${code ?? signal}`; this.wake() })
  }

  send (cmd: string): void { this.child.stdin?.write(cmd + '\n') }

  /** The next line with `event`; throws on an error line, on exit, or after `timeoutMs`. */
  async next (event: string, timeoutMs: number): Promise<PeerLine> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const i = this.lines.findIndex(l => l.event === event || l.event === 'error')
      if (i >= 0) {
        const [line] = this.lines.splice(i, 1)
        if (line.event === 'error') throw new Error(`peer ${this.name}: ${line.message ?? 'error'} (stderr: ${this.stderr.slice(-500)})`)
        return line
      }
      if (this.exit !== undefined) throw new Error(`peer ${this.name} ${this.exit} before '${event}' (stderr: ${this.stderr.slice(-500)})`)
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`peer ${this.name}: no '${event}' within ${timeoutMs} ms (stderr: ${this.stderr.slice(-500)})`)
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left)
        this.wake = () => { clearTimeout(t); resolve() }
      })
    }
  }

  get running (): boolean { return this.child.exitCode === null && this.child.signalCode === null }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async kill (): Promise<void> {
    if (!this.running) return
    const gone = new Promise<void>(resolve => this.child.once('exit', () => { resolve() }))
    const within = async (ms: number): Promise<boolean> => await Promise.race([gone.then(() => true), new Promise<boolean>(resolve => setTimeout(() => { resolve(false) }, ms).unref())])
    this.child.kill('SIGTERM')
    if (await within(PEER_TERM_GRACE_MS)) return
    this.child.kill('SIGKILL')
    await within(PEER_TERM_GRACE_MS)
  }
}
