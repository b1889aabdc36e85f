/**
 * Helpers to run the real `peerhive` CLI as a child process (on this test's Node 24),
 * with bounded waits. Not a test file itself.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../../node/cli/bin.ts', import.meta.url))

/** The environment minus PEERHIVE_* (a developer's own settings must not leak into tests). */
export function cleanEnv (extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PEERHIVE_') && v !== undefined) env[k] = v
  return { ...env, ...extra }
}

export interface CliResult { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs `peerhive args...` to completion (killed after `timeoutMs`). */
export async function runCli (args: string[], opts: { env?: Record<string, string>, timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.once('close', (c, s) => resolve([c, s])))
  clearTimeout(timer)
  return { code, signal, stdout, stderr }
}

/** A long-running `peerhive` process (start, bootstrap) and its JSON ready line. */
export class CliProcess {
  readonly child: ChildProcess
  stderr = ''
  readonly exited: Promise<number | null>

  constructor (args: string[], env = cleanEnv()) {
    this.child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString() })
    this.exited = new Promise(resolve => this.child.once('exit', code => resolve(code)))
  }

  /** The first stdout line as JSON (`--json` ready line); rejects on exit or after `timeoutMs`. */
  async ready<T = Record<string, unknown>> (timeoutMs = 30_000): Promise<T> {
    const lines = createInterface({ input: this.child.stdout! })
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs)
      lines.once('line', l => { clearTimeout(timer); resolve(JSON.parse(l) as T) })
      void this.exited.then(code => { clearTimeout(timer); reject(new Error(`exited ${String(code)} before ready; stderr:\n${this.stderr}`)) })
    })
  }

  /** Exit code, or SIGKILL and reject after `timeoutMs`. */
  async exit (timeoutMs = 20_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { this.child.kill('SIGKILL'); reject(new Error(`did not exit within ${timeoutMs} ms; stderr:\n${this.stderr}`)) }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Test cleanup: make sure nothing outlives the test. */
  kill (): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}
