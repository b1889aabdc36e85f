import { readFile, rename, rm, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { CONTROL_FILE } from './constants.ts'
import { ControlError } from './errors.ts'

/** What a running peer writes to `<dataDir>/control.json` for local clients. */
export interface ControlInfo {
  port: number
  token: string
  pid: number
  peerId: string
}

export function controlFilePath (dataDir: string): string {
  return join(dataDir, CONTROL_FILE)
}

/**
 * Written owner-only (0600) via a temp file and rename, so a reader never sees half a
 * file and the token is never world-readable, not even for an instant.
 */
export async function writeControlFile (dataDir: string, info: ControlInfo): Promise<void> {
  const path = controlFilePath(dataDir)
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(info) + '\n', { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, path)
}

export async function readControlFile (dataDir: string): Promise<ControlInfo> {
  const path = controlFilePath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ControlError('no-control-file', `no running peer in ${dataDir} (${CONTROL_FILE} not found; start one with peerhive start --data-dir ${dataDir})`, { dataDir })
    }
    throw new ControlError('no-control-file', `cannot read ${path}: ${(err as Error).message}`, { dataDir }, { cause: err })
  }
  let info: Partial<ControlInfo>
  try {
    info = JSON.parse(text)
  } catch (err) {
    throw new ControlError('no-control-file', `${path} is not valid JSON`, { dataDir }, { cause: err })
  }
  if (typeof info.port !== 'number' || typeof info.token !== 'string' || typeof info.pid !== 'number' || typeof info.peerId !== 'string') {
    throw new ControlError('no-control-file', `${path} lacks port, token, pid or peerId`, { dataDir })
  }
  return info as ControlInfo
}

/** Removes the control file, but only if it is still ours (a newer peer may have replaced it). */
export async function removeControlFile (dataDir: string, token: string): Promise<void> {
  try {
    const info = await readControlFile(dataDir)
    if (info.token !== token) return
  } catch {
    return // already gone or unreadable: nothing of ours to remove
  }
  await rm(controlFilePath(dataDir), { force: true })
}
