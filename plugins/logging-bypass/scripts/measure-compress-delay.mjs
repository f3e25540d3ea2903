#!/usr/bin/env node
// How much does gzipping a rotated access log delay the plugin's event loop?
// Three ways, on the same generated file: the plugin's zlib stream (deflate in libuv's threadpool),
// a worker thread (what piscina would do for us), and gzipSync on the main thread (the thing to avoid).
//
//   npx tsc -b plugins/logging-bypass && node plugins/logging-bypass/scripts/measure-compress-delay.mjs [MiB] [rounds]
//
// Not a test and not part of the suite: run it by hand on a quiet machine.
import { copyFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { gzipFile } from '../dist/src/compress.js';

const mib = Number(process.argv[2] ?? 64);
const rounds = Number(process.argv[3] ?? 2);
const dir = await mkdtemp(join(tmpdir(), 'mosn-compress-delay-'));
const source = join(dir, 'source.log');

async function generate() {
  const handle = await open(source, 'w');
  let written = 0;
  let n = 0;
  const start = Date.UTC(2024, 4, 1);
  while (written < mib * 1024 * 1024) {
    const lines = [];
    for (let i = 0; i < 1000; i++, n++) {
      const t = new Date(start + n * 7).toISOString().replace('T', ' ').replace('Z', '');
      lines.push(`${t} ${(n % 97) / 10} ${(n % 13) * 1.7} ${n % 5000} 312 HTTP/1.1 ${n % 50 === 0 ? 503 : 200} ${n % 31} - 10.0.${n % 4}.2:${40000 + (n % 20000)} 127.0.0.1:2045 192.168.${n % 255}.${n % 7}:${30000 + (n % 30000)} 10.1.0.${n % 9}:8080 GET /api/v1/orders/${n * 7919} req-${n.toString(16)}`);
    }
    const chunk = `${lines.join('\n')}\n`;
    await handle.write(chunk);
    written += Buffer.byteLength(chunk);
  }
  await handle.close();
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync, writeFileSync, unlinkSync } = require('node:fs');
const { gzipSync } = require('node:zlib');
writeFileSync(workerData + '.gz', gzipSync(readFileSync(workerData)));
unlinkSync(workerData);
parentPort.postMessage('done');
`;

const ways = {
  // The noise floor: nothing to do for about as long as a compression takes.
  idle: async (file) => {
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await writeFile(`${file}.gz`, '');
    await rm(file);
  },
  stream: (file) => gzipFile(file),
  worker: (file) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER, { eval: true, workerData: file });
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
  sync: async (file) => {
    await writeFile(`${file}.gz`, gzipSync(await readFile(file)));
    await rm(file);
  },
};

await generate();
const size = (await stat(source)).size;
console.log(`file: ${(size / 1048576).toFixed(0)} MiB of access log lines; Node ${process.version}; rounds: ${rounds}`);
console.log('way     wall ms   loop delay p50 / p99 / max ms   gz MiB');
for (let round = 0; round < rounds; round++) {
  for (const [name, compress] of Object.entries(ways)) {
    const file = join(dir, `${name}-${round}.log`);
    await copyFile(source, file);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const began = performance.now();
    await compress(file);
    const wall = performance.now() - began;
    histogram.disable();
    const ms = (ns) => (ns / 1e6).toFixed(1);
    const gz = (await stat(`${file}.gz`)).size;
    console.log(
      `${name.padEnd(7)} ${wall.toFixed(0).padStart(7)}   ${ms(histogram.percentile(50)).padStart(6)} / ${ms(histogram.percentile(99)).padStart(6)} / ${ms(histogram.max).padStart(7)}   ${(gz / 1048576).toFixed(1)}`,
    );
    await rm(`${file}.gz`);
  }
}
await rm(dir, { recursive: true, force: true });
