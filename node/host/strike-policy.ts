/** What to do after one more strike against a peer. */
export type StrikeDecision =
  | { action: 'count', strikes: number }
  | { action: 'ban', strikes: number }
  | { action: 'already-banned', strikes: number }

/**
 * Strike policy: a peer is banned (hung up, refused for the session) on reaching `limit`
 * strikes; strikes are never forgiven within a session, since a peer sending malformed
 * frames is either broken or hostile.
 */
export function strikePolicy (strikes: number, limit: number, banned: boolean): StrikeDecision {
  const n = strikes + 1
  if (banned) return { action: 'already-banned', strikes: n }
  return n >= limit ? { action: 'ban', strikes: n } : { action: 'count', strikes: n }
}
