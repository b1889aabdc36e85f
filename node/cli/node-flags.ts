/**
 * Node/V8 flags every peerhive process starts with: `bin/peerhive`, `npm start` and
 * `npm run bench` pass them (package.json, bin/peerhive), and processes we spawn (the
 * `swarm` command's children, the benchmarks' peers) inherit them through `NODE_FLAGS`.
 * test/unit/node-flags.test.ts keeps the three places in step.
 *
 * `--initial-heap-size=128`: V8 counts ArrayBuffer memory against the heap's allocation
 * limit, and a transfer allocates several buffers per byte moved (socket reads, Noise
 * output, frames, chunks); with the limit sized from a ~25 MB live heap, V8 ran a full
 * mark-compact every ~50 ms at 100 MB/s, 15-26% of a peer's CPU, and in a transfer between
 * two processes both event loops stalled on it: 55-75 MB/s without the flag, 100-140 MB/s
 * with it (64 MiB from one process to another on a 2-core machine). The heap is not
 * allocated up front: the flag only lets garbage reach ~128 MB before a full collection.
 */
export const NODE_FLAGS: readonly string[] = ['--initial-heap-size=128']
