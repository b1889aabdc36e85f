import { PeerhiveError } from '../errors.ts'

export type ControlErrorCode =
  | 'unauthorized'
  | 'not-found'
  | 'method-not-allowed'
  | 'bad-request'
  | 'too-large'
  | 'unknown-method'
  | 'module-not-running'
  | 'no-control-file'
  | 'unreachable'
  | 'remote-error'

/** A control API failure, on either side (the client rebuilds the server's code and message). */
export class ControlError extends PeerhiveError {
  constructor (code: ControlErrorCode | string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}
