/**
 * How a config field is spelled in each source, derived from its schema path so the
 * spellings never drift: `net.uploadBps` is `--net.uploadBps` on the command line and
 * `PEERHIVE_NET_UPLOAD_BPS` in the environment.
 */
export const ENV_PREFIX = 'PEERHIVE_'

/** Env var naming a config file, the same as `--config` (a flag wins over it). */
export const ENV_CONFIG_FILE = 'PEERHIVE_CONFIG'

/** camelCase -> UPPER_SNAKE (uploadBps -> UPLOAD_BPS, dataDir -> DATA_DIR). */
export function upperSnake (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase()
}

export function envName (section: string, field: string): string {
  return `${ENV_PREFIX}${upperSnake(section)}_${upperSnake(field)}`
}

export function flagName (section: string, field: string): string {
  return `--${section}.${field}`
}
