#!/usr/bin/env node
/**
 * The `peerhive` entry point (bin/peerhive runs it on the Node 24 from node_modules).
 * Exits with the command's code: 0 ok, 1 failure, 2 usage or config error.
 */
import { fileURLToPath } from 'node:url'
import { COMMANDS } from './commands/index.ts'
import { processIo } from './io.ts'
import { main } from './main.ts'
import { NODE_FLAGS } from './node-flags.ts'

const code = await main(process.argv.slice(2), COMMANDS, processIo, [process.execPath, ...NODE_FLAGS, fileURLToPath(import.meta.url)])
process.exit(code)
