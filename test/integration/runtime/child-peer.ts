import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ConfigOverrides } from '../../../node/swarm.ts'

export const PEER_FIXTURE = fileURLToPath(new URL('../../fixtures/peer-process.ts', import.meta.url))

export interface ChildEvent {
  event: string
  [k: string]: unknown
}

/**
 * A peer process started from test/fixtures/peer-process.ts, its JSON lines parsed into
 * events a test can wait for. `prefix` runs it through another command (ip netns exec ...).
 */
export class ChildPeer {
  readonly proc: ChildProcess
  readonly events: ChildEvent[] = []
  stderr = ''
  private waiters: Array<() => void> = []
  readonly exited: Promise<number | null>

  constructor (configFile: string, prefix: string[] = []) {
    const argv = [...prefix, process.execPath, PEER_FIXTURE, configFile]
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    let buf = ''
    this.proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString()
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        try { this.events.push(JSON.parse(line) as ChildEvent) } catch { this.stderr += `(stdout) ${line}\n` }
        for (const w of this.waiters.splice(0)) w()
      }
    })
    this.proc.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-20_000) })
    this.exited = new Promise(resolve => this.proc.on('exit', (code) => { for (const w of this.waiters.splice(0)) w(); resolve(code) }))
  }

  static start (dir: string, name: string, config: ConfigOverrides, prefix: string[] = []): ChildPeer {
    const file = join(dir, `${name}.json`)
    writeFileSync(file, JSON.stringify(config))
    return new ChildPeer(file, prefix)
  }

  /** The first event (from `from` on) matching `pred`; rejects after `timeoutMs` or if the process exits. */
  async waitFor (pred: (e: ChildEvent) => boolean, timeoutMs: number, what: string, from = 0): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.events.slice(from).find(pred)
      if (hit !== undefined) return hit
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`peer process exited (${this.proc.exitCode ?? this.proc.signalCode}) before ${what}\n${this.stderr}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstderr:\n${this.stderr}`)
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  command (line: string): void {
    this.proc.stdin?.write(line + '\n')
  }

  /** Graceful stop (SIGTERM), escalating to SIGKILL after `graceMs`. */
  async stop (graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    this.proc.kill('SIGTERM')
    const t = setTimeout(() => { this.proc.kill('SIGKILL') }, graceMs)
    await this.exited
    clearTimeout(t)
  }

  async kill9 (): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return
    this.proc.kill('SIGKILL')
    await this.exited
  }
}
