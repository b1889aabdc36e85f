import type { Progress } from './progress.ts'

/** Width of the bar in characters. */
const BAR_WIDTH = 30

export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`
}

export function formatEta (sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '--:--'
  const s = Math.round(sec)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
}

/** One progress line: bar, percent, down/up rate, peers, ETA. */
export function progressLine (p: Progress): string {
  if (p.state === 'finding') return `finding peers and the manifest for ${p.link} (${p.peers} candidates)`
  const frac = p.size === 0 ? 1 : p.bytesHave / p.size
  const filled = Math.round(frac * BAR_WIDTH)
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled)
  return `[${bar}] ${(frac * 100).toFixed(1).padStart(5)}%  ${formatBytes(p.bytesHave)}/${formatBytes(p.size)}  ` +
    `down ${formatBytes(p.downRate)}/s  up ${formatBytes(p.upRate)}/s  peers ${p.peers}  eta ${formatEta(p.etaSec)}  ${p.state}`
}
