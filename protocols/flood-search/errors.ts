import { PeerhiveError } from '../../node/errors.ts'

export type SearchErrorCode =
  | 'bad-query' // no usable keyword, or too many / too long
  | 'bad-option' // ttl or timeout out of range
  | 'too-many-searches' // MAX_ACTIVE_SEARCHES in flight
  | 'stopped' // the search actor stopped while a search was running

/** A flood-search failure; `context` names the field, value or limit involved. */
export class SearchError extends PeerhiveError {
  declare readonly code: SearchErrorCode
  constructor (code: SearchErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}
