import { PeerhiveError } from '../../node/errors.ts'

export type DhtErrorCode =
  | 'value-too-large'
  | 'key-too-large'
  | 'lookup-failed'
  | 'lookup-timeout'
  | 'hop-limit'
  | 'not-joined'
  | 'put-failed'
  | 'bad-request'
  | 'bad-response'

/** A DHT operation that could not be done; context names the key, peer or limit. */
export class DhtError extends PeerhiveError {
  declare readonly code: DhtErrorCode
  constructor (code: DhtErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}
