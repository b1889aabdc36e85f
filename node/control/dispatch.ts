import type { ProtocolModule } from '../plugin.ts'
import type { ServiceRegistry } from '../plugin.ts'
import { ControlError } from './errors.ts'

/** A parsed `POST /v1/call` body. */
export interface CallRequest {
  method: string
  params: Record<string, unknown>
}

/** Validates a call body: `{ method: '<module>.<method>', params?: object }`. */
export function parseCallRequest (body: unknown): CallRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError('bad-request', 'body must be a JSON object { method, params }')
  const { method, params } = body as Record<string, unknown>
  if (typeof method !== 'string' || !/^[a-z][\w-]*\.[a-zA-Z][\w-]*$/.test(method)) {
    throw new ControlError('bad-request', `method must be a string "<module>.<method>", got ${JSON.stringify(method) ?? 'nothing'}`)
  }
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new ControlError('bad-request', `params must be an object, got ${JSON.stringify(params)}`, { method })
  }
  return { method, params: (params ?? {}) as Record<string, unknown> }
}

/**
 * Runs `<module>.<method>`: the module's `control` method with the API the peer installed
 * for it. An AsyncIterable result is returned as is (the server streams it as NDJSON).
 */
export function dispatchCall (modules: ReadonlyArray<ProtocolModule<any, any>>, services: ServiceRegistry, req: CallRequest): Promise<unknown> | AsyncIterable<unknown> {
  const [moduleName, methodName] = req.method.split('.')
  const mod = modules.find(m => m.name === moduleName)
  const fn = mod?.control !== undefined && Object.hasOwn(mod.control, methodName) ? mod.control[methodName] : undefined
  if (mod === undefined || fn === undefined) {
    const known = modules.flatMap(m => Object.keys(m.control ?? {}).map(k => `${m.name}.${k}`))
    throw new ControlError('unknown-method', `unknown method ${req.method}${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (no module exposes control methods)'}`, { method: req.method })
  }
  const api = services.get(moduleName)
  if (api === undefined) throw new ControlError('module-not-running', `module ${moduleName} is not running on this peer (disabled in its config?)`, { method: req.method })
  return fn(api, req.params)
}

export function isAsyncIterable (v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as any)[Symbol.asyncIterator] === 'function'
}
