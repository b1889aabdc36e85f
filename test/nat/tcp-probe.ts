/**
 * Plain TCP probes for the NAT rig, run inside namespaces as separate processes:
 *   node tcp-probe.ts serve <port>          answers each connection with the peer address it saw, prints "listening"
 *   node tcp-probe.ts dial <ip> <port> <ms> prints "ok <what the server saw>" or "fail <code>"; exits 0 either way
 */
import { connect, createServer } from 'node:net'

const [mode, a, b, c] = process.argv.slice(2)

if (mode === 'serve') {
  const server = createServer(sock => { sock.end(`${sock.remoteAddress ?? '?'}\n`) })
  server.listen(Number(a), '0.0.0.0', () => { process.stdout.write('listening\n') })
} else if (mode === 'dial') {
  const ms = Number(c ?? 2000)
  const sock = connect({ host: a, port: Number(b) })
  let got = ''
  const done = (line: string): void => { process.stdout.write(line + '\n'); sock.destroy(); process.exit(0) }
  const timer = setTimeout(() => done('fail timeout'), ms)
  sock.on('data', d => { got += d.toString() })
  sock.on('end', () => { clearTimeout(timer); done(`ok ${got.trim()}`) })
  sock.on('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); done(`fail ${err.code ?? err.message}`) })
} else {
  process.stderr.write('usage: tcp-probe.ts serve <port> | dial <ip> <port> [ms]\n')
  process.exit(2)
}
