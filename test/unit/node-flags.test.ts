import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { NODE_FLAGS } from '../../node/cli/node-flags.ts'

/** The Node flags are written out in three places that cannot import them; they must agree. */
describe('node flags', () => {
  it('bin/peerhive, npm start and npm run bench start node with NODE_FLAGS', async () => {
    const flags = NODE_FLAGS.join(' ')
    const scripts = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>
    assert.ok(scripts.start.startsWith(`node ${flags} `), `npm start: ${scripts.start}`)
    assert.ok(scripts.bench.startsWith(`node ${flags} `), `npm run bench: ${scripts.bench}`)
    const bin = await readFile(new URL('../../bin/peerhive', import.meta.url), 'utf8')
    assert.match(bin, new RegExp(`exec "\\$node" ${flags} "\\$root/node/cli/bin.ts" "\\$@"`))
  })
})
