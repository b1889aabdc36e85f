/**
 * The HTTP status for an error a control call ends with, from its stable `code`: the
 * caller's fault is 4xx, a peer-side failure 5xx (timeouts 504, network 502).
 */
const BY_CODE: Record<string, number> = {
  unauthorized: 401,
  'not-found': 404,
  'unknown-method': 404,
  'method-not-allowed': 405,
  'bad-request': 400,
  'invalid-params': 400,
  'invalid-config': 400,
  'too-large': 413,
  'module-not-running': 503,
  stopped: 503,
  'mailbox-full': 503,
  timeout: 504,
  'not-connected': 502,
  'dial-failed': 502,
  unreachable: 502,
  'remote-error': 502,
  banned: 403
}

export function statusForCode (code: string | undefined): number {
  return (code !== undefined ? BY_CODE[code] : undefined) ?? 500
}
