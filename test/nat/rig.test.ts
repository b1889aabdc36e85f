import assert from 'node:assert/strict'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NatRig } from './netns.ts'

const probe = join(dirname(fileURLToPath(import.meta.url)), 'tcp-probe.ts')

/** Wait for a line on a child's stdout (bounded). */
async function line (rig: NatRig, host: string, args: string[], ms = 5000): Promise<string> {
  const child = rig.spawn(host, process.execPath, [probe, ...args])
  let out = ''
  child.stdout?.on('data', d => { out += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  await once(child, 'exit')
  clearTimeout(timer)
  return out.trim()
}

async function serve (rig: NatRig, host: string, port: number): Promise<void> {
  const child = rig.spawn(host, process.execPath, [probe, 'serve', String(port)])
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`probe server on ${host} did not start: ${out}`)), 5000)
    child.stdout?.on('data', d => { out += d.toString(); if (out.includes('listening')) { clearTimeout(timer); resolve() } })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`probe server on ${host} exited ${code}`)) })
  })
}

describe('NAT rig (network namespaces, plain TCP)', function () {
  this.timeout(40_000)
  let rig: NatRig | undefined

  afterEach(() => {
    if (rig === undefined) return
    rig.destroy()
    assert.deepEqual(rig.leftovers(), [], 'every namespace of the run is gone')
    rig = undefined
  })

  it('lets both LANs reach the public segment, masqueraded, and keeps them from dialling each other', async () => {
    // Fails (not skips) when namespaces cannot be made: the rig is the test's premise.
    rig = NatRig.create({ publicHosts: ['pub'], lans: [{ name: 'lan1', hosts: ['a'] }, { name: 'lan2', hosts: ['b'] }] })
    const pub = rig.host('pub')
    const a = rig.host('a')
    const b = rig.host('b')
    const wan1 = rig.routers.get('lan1')?.wanIp
    const wan2 = rig.routers.get('lan2')?.wanIp
    await serve(rig, 'pub', 7001)
    await serve(rig, 'a', 7001)
    await serve(rig, 'b', 7001)

    // Outbound to the public segment works and is seen from the router's WAN address.
    assert.equal(await line(rig, 'a', ['dial', pub.ip, '7001']), `ok ${wan1}`)
    assert.equal(await line(rig, 'b', ['dial', pub.ip, '7001']), `ok ${wan2}`)

    // Neither LAN can open a connection into the other: not to its private address (no route
    // beyond the NAT) nor to its router's public address (unsolicited inbound is dropped).
    for (const [from, to, toWan] of [['a', b.ip, wan2], ['b', a.ip, wan1]] as const) {
      assert.match(await line(rig, from, ['dial', to, '7001', '1500']), /^fail /, `${from} -> ${to}`)
      assert.match(await line(rig, from, ['dial', String(toWan), '7001', '1500']), /^fail /, `${from} -> ${toWan}`)
    }
    // Nor can the public segment open one into a LAN.
    assert.match(await line(rig, 'pub', ['dial', String(wan1), '7001', '1500']), /^fail /)
    assert.match(await line(rig, 'pub', ['dial', a.ip, '7001', '1500']), /^fail /)
  })
})
