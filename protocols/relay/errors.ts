import { PeerhiveError } from '../../node/errors.ts'

export type RelayErrorCode =
  | 'name-taken' // another peer key owns this name in the directory
  | 'not-found' // no directory entry for this name
  | 'not-supernode' // a supernode-only request reached an ordinary peer
  | 'cut-off' // this child flooded index updates and is refused for a while
  | 'no-supernode' // no supernode is known or reachable
  | 'bad-request' // a request that is well-formed on the wire but not acceptable (empty query...)
  | 'bad-signature' // a name claim unsigned, or not signed by the key it names
  | 'rate-limited' // a child searching faster than its supernode serves

/** A relay-layer failure; `context` names the peer, name or limit involved. */
export class RelayError extends PeerhiveError {
  declare readonly code: RelayErrorCode
  constructor (code: RelayErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}

/** Remote errors cross the wire as text `<code>: <message>`; this recovers the code. */
export function relayErrorFromRemote (text: string, context: Record<string, unknown> = {}): RelayError | undefined {
  const m = /^(name-taken|not-found|not-supernode|cut-off|no-supernode|bad-request|bad-signature|rate-limited): /.exec(text)
  return m === null ? undefined : new RelayError(m[1] as RelayErrorCode, text.slice(m[0].length), context)
}

export function remoteText (err: RelayError): string {
  return `${err.code}: ${err.message}`
}
