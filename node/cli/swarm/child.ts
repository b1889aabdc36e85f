import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Lines of a child's stderr kept to explain its failure. */
const STDERR_TAIL_LINES = 20

/**
 * One `peerhive` child process of a swarm: its first stdout line (the `--json` ready
 * line) and the tail of its stderr, its exit, and a bounded stop (SIGTERM, then SIGKILL).
 */
export class SwarmChild {
  readonly label: string
  readonly dataDir: string
  readonly proc: ChildProcess
  readonly ready: Promise<Record<string, unknown>>
  readonly exited: Promise<number | null>
  exitCode: number | null | undefined = undefined
  readonly stderrTail: string[] = []

  constructor (label: string, dataDir: string, command: string[], env: Record<string, string | undefined>) {
    this.label = label
    this.dataDir = dataDir
    // Own process group: a terminal's Ctrl-C reaches only the swarm command, which then
    // stops its children in order (SIGTERM, bounded wait) instead of all at once.
    this.proc = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true })
    this.exited = new Promise(resolve => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal !== null ? -1 : null)
        resolve(this.exitCode)
      })
      this.proc.once('error', () => {
        this.exitCode = -1
        resolve(-1)
      })
    })
    createInterface({ input: this.proc.stderr! }).on('line', line => {
      this.stderrTail.push(line)
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift()
    })
    const lines = createInterface({ input: this.proc.stdout! })
    this.ready = new Promise((resolve, reject) => {
      lines.once('line', line => {
        try {
          resolve(JSON.parse(line))
        } catch {
          reject(new Error(`${label}: expected a JSON ready line, got ${JSON.stringify(line.slice(0, 200))}`))
        }
      })
      void this.exited.then(code => reject(new Error(`${label} exited with code ${String(code)} before it was ready: ${this.lastError()}`)))
    })
    this.ready.catch(() => {}) // observed by whoever awaits it; never an unhandled rejection
  }

  get running (): boolean {
    return this.exitCode === undefined
  }

  lastError (): string {
    const errLine = [...this.stderrTail].reverse().find(l => /error|peerhive:/i.test(l))
    return errLine ?? this.stderrTail.at(-1) ?? '(no output)'
  }

  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop (graceMs: number): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => { if (this.running) this.proc.kill('SIGKILL') }, graceMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}
