/**
 * A push-to-pull bridge: the actor pushes hits as they arrive, the caller pulls them with
 * `for await`. Ending with an error rethrows it to the caller after the hits already queued.
 * `onReturn` runs once when the caller stops early (break), so the search can be cancelled.
 */
export class HitStream<T> implements AsyncIterable<T> {
  private readonly queue: T[] = []
  private waiting?: { resolve: (r: IteratorResult<T>) => void, reject: (e: Error) => void }
  private ended = false
  private error?: Error
  private onReturn?: () => void

  constructor (onReturn?: () => void) {
    this.onReturn = onReturn
  }

  setOnReturn (fn: () => void): void {
    this.onReturn = fn
  }

  get closed (): boolean {
    return this.ended
  }

  push (v: T): void {
    if (this.ended) return
    if (this.waiting !== undefined) {
      const w = this.waiting
      this.waiting = undefined
      w.resolve({ value: v, done: false })
    } else {
      this.queue.push(v)
    }
  }

  end (err?: Error): void {
    if (this.ended) return
    this.ended = true
    this.error = err
    const w = this.waiting
    this.waiting = undefined
    if (w === undefined) return
    if (err !== undefined) w.reject(err)
    else w.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator] (): AsyncIterator<T> {
    return {
      next: async () => {
        const v = this.queue.shift()
        if (v !== undefined) return { value: v, done: false }
        if (this.ended) {
          if (this.error !== undefined) { const e = this.error; this.error = undefined; throw e }
          return { value: undefined, done: true }
        }
        return await new Promise<IteratorResult<T>>((resolve, reject) => { this.waiting = { resolve, reject } })
      },
      return: async () => {
        if (!this.ended) {
          this.ended = true
          this.queue.length = 0
          this.onReturn?.()
        }
        return { value: undefined, done: true }
      }
    }
  }
}
