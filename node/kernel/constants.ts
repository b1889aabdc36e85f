/** Kernel defaults; each is overridable per actor and through config/. */

/** Messages an actor's mailbox holds before `tell` drops and `put` waits. */
export const DEFAULT_MAILBOX_CAPACITY = 1024

/** Default `ask` deadline. */
export const DEFAULT_ASK_TIMEOUT_MS = 10_000

/** Supervisor: more crashes than this within the window and the actor is given up. */
export const DEFAULT_MAX_RESTARTS = 5
export const DEFAULT_RESTART_WINDOW_MS = 60_000
