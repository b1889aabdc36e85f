import { NetError } from '../../node/errors.ts'
import type { NetPort, PeerKey } from '../../node/ports/net.ts'
import type { AddressBook } from './address-book.ts'
import { withPeerId } from './addrs.ts'
import { DhtError } from './errors.ts'
import type { DhtMsg } from './messages.ts'

type Of<T extends DhtMsg['type']> = Extract<DhtMsg, { type: T }>

/** Net errors that mean "this peer is gone" (as opposed to "it answered with an error"). */
const DEAD_CODES = new Set(['timeout', 'unreachable', 'dial-failed', 'closed', 'not-connected', 'banned'])

export function meansDead (err: unknown): boolean {
  return (err instanceof NetError && DEAD_CODES.has(err.code)) || (err instanceof DhtError && err.code === 'bad-response')
}

/**
 * Typed request/response over the net port: one expected response type per request (a
 * different one is misbehaviour: strike and fail), and a dial through the address book
 * when the peer is not connected yet.
 */
export class DhtRpc {
  private readonly net: NetPort<DhtMsg>
  private readonly timeoutMs: number
  private readonly book: AddressBook

  constructor (net: NetPort<DhtMsg>, timeoutMs: number, book: AddressBook) {
    this.net = net
    this.timeoutMs = timeoutMs
    this.book = book
  }

  async call<T extends DhtMsg['type']> (to: PeerKey, msg: DhtMsg, expect: T, timeoutMs = this.timeoutMs): Promise<Of<T>> {
    let res: DhtMsg
    try {
      res = await this.net.request(to, msg, { timeoutMs })
    } catch (err) {
      const addrs = this.book.get(to)
      if (!(err instanceof NetError) || !['not-connected', 'unreachable', 'dial-failed'].includes(err.code) || addrs.length === 0) throw err
      await this.net.connect(addrs.map(a => withPeerId(a, to)))
      res = await this.net.request(to, msg, { timeoutMs })
    }
    if (res.type !== expect) {
      this.net.strike(to, `dht: answered ${msg.type} with ${res.type}`)
      throw new DhtError('bad-response', `dht: ${to} answered ${msg.type} with ${res.type}, expected ${expect}`, { peer: to })
    }
    return res as Of<T>
  }

  async send (to: PeerKey, msg: DhtMsg): Promise<void> {
    await this.net.send(to, msg)
  }
}
