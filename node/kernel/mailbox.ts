/**
 * A bounded FIFO. `offer` refuses when full (the caller counts a drop); `waitForRoom`
 * lets producers apply backpressure instead. It never grows past its capacity.
 */
export class Mailbox<M> {
  private items: M[] = []
  private head = 0
  private waiters: Array<() => void> = []
  dropped = 0

  readonly capacity: number

  constructor (capacity: number) {
    this.capacity = capacity
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`)
  }

  get size (): number {
    return this.items.length - this.head
  }

  offer (msg: M): boolean {
    if (this.size >= this.capacity) {
      this.dropped++
      return false
    }
    this.items.push(msg)
    return true
  }

  take (): M | undefined {
    if (this.size === 0) return undefined
    const m = this.items[this.head]
    this.items[this.head++] = undefined as M
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    const w = this.waiters.shift()
    w?.()
    return m
  }

  /** Resolves when there is room for one more message. */
  async waitForRoom (): Promise<void> {
    while (this.size >= this.capacity) {
      await new Promise<void>(resolve => this.waiters.push(resolve))
    }
  }

  /** Empty the box (on stop), waking producers so none waits forever. */
  drain (): M[] {
    const rest = this.items.slice(this.head)
    this.items = []
    this.head = 0
    for (const w of this.waiters.splice(0)) w()
    return rest
  }
}
