// Runs one WorkerServer in this process, binding every listener itself, until SIGTERM. Stands in
// for `mosnctl start -c FILE --workers 1` in benches (see lib/mosn.mjs).
//   node bench/lib/standalone-worker.mjs EFFECTIVE_CONFIG_JSON
// The argument is the effective config (what @mosn/config's loadConfig returns, as JSON), which
// is what a real worker receives from the supervisor: like a real worker, this process does not
// load the config schema code (it would triple the heap, and with it the cost of every major GC).
// Prints "ready <listener>=<port> …" on stdout once every listener accepts.

import { readFileSync } from 'node:fs';
import { WorkerServer } from '../../worker/dist/src/index.js';
import { pino } from 'pino';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: standalone-worker.mjs EFFECTIVE_CONFIG_JSON\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(file, 'utf8'));
const logger = pino({ level: process.env.MOSN_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const server = new WorkerServer({ config, logger });
const ports = [];
for (const listener of config.listeners) {
  const { port } = await server.listen(listener.name, { host: listener.host, port: listener.port });
  ports.push(`${listener.name}=${port}`);
}
process.stdout.write(`ready ${ports.join(' ')}\n`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await server.stopAccepting();
  await server.drain(Date.now() + 2000);
  await server.close();
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
