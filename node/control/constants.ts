/** Control API constants. */

/** Only loopback: the API drives the peer, so nothing off this machine may reach it. */
export const CONTROL_HOST = '127.0.0.1'

/** Name of the file in the data dir that tells clients where the API is and its token. */
export const CONTROL_FILE = 'control.json'

/** Token size: 32 random bytes (256 bits) cannot be guessed by another local user. */
export const TOKEN_BYTES = 32

/**
 * Request bodies are small JSON calls (method + params); 1 MiB leaves room for a long
 * list of params without letting a client make the peer buffer arbitrary amounts.
 */
export const MAX_BODY_BYTES = 1024 * 1024

/** A client that sends headers and then stalls is cut off after this long. */
export const REQUEST_TIMEOUT_MS = 30_000

/** Non-streaming client calls give up after this long (streams have no overall deadline). */
export const CLIENT_TIMEOUT_MS = 60_000
