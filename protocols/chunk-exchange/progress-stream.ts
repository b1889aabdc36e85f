/**
 * A single-consumer async queue: the actor's progress listener pushes, `get`'s caller
 * iterates. Only the newest undelivered snapshot of a kind matters, so the queue keeps at
 * most `max` items (dropping the oldest): a slow consumer never makes it grow.
 */
export class LatestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiting: ((r: IteratorResult<T>) => void) | undefined
  private ended = false
  private readonly max: number

  constructor (max = 64) {
    this.max = max
  }

  push (item: T): void {
    if (this.ended) return
    if (this.waiting !== undefined) {
      const w = this.waiting
      this.waiting = undefined
      w({ value: item, done: false })
      return
    }
    this.items.push(item)
    if (this.items.length > this.max) this.items.shift()
  }

  end (): void {
    this.ended = true
    const w = this.waiting
    this.waiting = undefined
    w?.({ value: undefined, done: true })
  }

  [Symbol.asyncIterator] (): AsyncIterator<T> {
    return {
      next: async () => {
        const item = this.items.shift()
        if (item !== undefined) return { value: item, done: false }
        if (this.ended) return { value: undefined, done: true }
        return await new Promise<IteratorResult<T>>(resolve => { this.waiting = resolve })
      },
      return: async () => {
        this.end()
        return { value: undefined, done: true }
      }
    }
  }
}
