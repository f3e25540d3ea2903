#!/usr/bin/env node
// RPC transport benchmark: @mosn/ipc-protocol (length-prefixed msgpack frames, coalesced writes)
// against vscode-jsonrpc's stock StreamMessageReader/StreamMessageWriter (JSON with Content-Length
// headers), all under vscode-jsonrpc's connection layer, over Unix sockets.
//
//   node bench/rpc/run.mjs [--rounds 6] [--seconds 1] [--warmup 0.5] [--no-pin] [--json]
//                          [--only NAME]       one transport only (e.g. to profile it)
//                          [--cpu-prof DIR]    servers write V8 CPU profiles to DIR; for the
//                                              client run `node --cpu-prof --cpu-prof-dir=DIR …`
//
// Transports:
//   ipc-protocol   createIpcConnection() as shipped (our reader/writer + its connection options)
//   stock          StreamMessageReader/StreamMessageWriter, default connection options
//   stock+options  the stock reader/writer with createIpcConnection's connection options, to
//                  separate what the framing gives from what the options give
//
// Each transport's server runs in its own child process, so CPU time is measured per process:
// CPU per call = (client process CPU + server process CPU) / calls, both from process.cpuUsage().
// Cells run alternating (the order flips every round) at 1 and 64 outstanding requests after a
// warm-up; medians, min…max and paired per-round ratios are printed. Build ipc-protocol first
// (`cd ipc-protocol && npx tsc -b`).

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  connectUnix,
  createIpcConnection,
  listenUnix,
  RequestType,
  RequestType0,
} from '../../ipc-protocol/dist/src/index.js';

const SELF = fileURLToPath(import.meta.url);
const CONCURRENCY = [1, 64];
const silentLogger = { error() {}, warn() {} };
// Keep in step with createIpcConnection (ipc-protocol/src/connection.ts).
const IPC_CONNECTION_OPTIONS = { maxParallelism: Infinity };

const TRANSPORTS = {
  'ipc-protocol': (socket) => createIpcConnection(socket, { logger: silentLogger }),
  stock: (socket) => createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket)),
  'stock+options': (socket) =>
    createMessageConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket), undefined, IPC_CONNECTION_OPTIONS),
};

const Check = new RequestType('bench/check');
const CpuUsage = new RequestType0('bench/cpuUsage');

// A plugin call as a worker would make it: an auth-like check with method, path and 10 headers.
const REQUEST = {
  stream: 1842,
  method: 'GET',
  path: '/api/v1/orders/12345?expand=items&currency=EUR',
  headers: {
    host: 'orders.internal.example.com',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    accept: 'application/json',
    'accept-encoding': 'gzip, br',
    'accept-language': 'en-GB,en;q=0.9',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl',
    'x-request-id': '5f0c2a9e-8d1b-4c33-9a51-2f8e7c1d0b44',
    'x-forwarded-for': '203.0.113.7, 10.0.0.12',
    'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
    cookie: 'session=3b9f1c0a7e; theme=dark',
  },
};
const RESPONSE = {
  allow: true,
  status: 200,
  headers: { 'x-user-id': 'user-42', 'x-auth-method': 'jwt', 'x-auth-scope': 'orders:read' },
};

// ---------------------------------------------------------------------------------------------
// Server child: `run.mjs --serve <transport> <socketPath>`

async function serve(name, socketPath) {
  const onConnection = (socket) => {
    const connection = TRANSPORTS[name](socket);
    connection.onRequest(Check, () => RESPONSE);
    connection.onRequest(CpuUsage, () => process.cpuUsage());
    connection.onClose(() => connection.dispose());
    connection.listen();
  };
  if (name === 'ipc-protocol') {
    await listenUnix(socketPath, { onConnection, logger: silentLogger });
  } else {
    await new Promise((resolve) => createServer(onConnection).listen(socketPath, resolve));
  }
  // The parent owns our life: when its IPC channel goes, so do we (no orphan server).
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
}

// ---------------------------------------------------------------------------------------------
// Client (parent)

function parseArgs(argv) {
  const options = { rounds: 6, seconds: 1, warmup: 0.5, pin: true, json: false, cpuProf: undefined, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--rounds') options.rounds = Number(argv[++i]);
    else if (arg === '--seconds') options.seconds = Number(argv[++i]);
    else if (arg === '--warmup') options.warmup = Number(argv[++i]);
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--json') options.json = true;
    else if (arg === '--cpu-prof') options.cpuProf = argv[++i];
    else if (arg === '--only') options.only = argv[++i];
    else throw new Error(`unknown argument ${arg}`);
  }
  if (options.only !== undefined && !(options.only in TRANSPORTS)) {
    throw new Error(`--only: expected one of ${Object.keys(TRANSPORTS).join(', ')}, found ${options.only}`);
  }
  return options;
}

/** Client on CPU 0, servers on CPU 1, when there are two CPUs and taskset. */
function pinSelf() {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function startServer(name, socketPath, pinned, cpuProf) {
  const profArgs =
    cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`, `--cpu-prof-name=server-${name}.cpuprofile`];
  const nodeArgs = [...profArgs, SELF, '--serve', name, socketPath];
  const [command, args] = pinned ? ['taskset', ['-c', '1', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code, signal) => reject(new Error(`${name} server exited early (${code ?? signal})`)));
  });
  return { child, ready };
}

function stopServer({ child }) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    // Disconnecting lets the server exit by itself (and write its CPU profile); SIGKILL if it
    // has not within 3 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill('SIGKILL');
  });
}

async function connect(name, socketPath) {
  const connection = TRANSPORTS[name](await connectUnix(socketPath));
  connection.listen();
  return connection;
}

/** Keeps `concurrency` requests outstanding for `seconds`; returns calls/s and CPU µs per call. */
async function measure(connection, concurrency, seconds) {
  const serverBefore = await connection.sendRequest(CpuUsage);
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let calls = 0;
  const lane = async () => {
    while (performance.now() < deadline) {
      await connection.sendRequest(Check, REQUEST);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - start) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverAfter = await connection.sendRequest(CpuUsage);
  const server = { user: serverAfter.user - serverBefore.user, system: serverAfter.system - serverBefore.system };
  return {
    callsPerSec: calls / elapsed,
    cpuPerCallUs: (client.user + client.system + server.user + server.system) / calls,
    systemPerCallUs: (client.system + server.system) / calls,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const names = options.only === undefined ? Object.keys(TRANSPORTS) : [options.only];
  const pinned = options.pin && pinSelf();
  const dir = await mkdtemp(join(tmpdir(), 'mosn-bench-rpc-'));
  const servers = [];
  const connections = {};
  const cleanup = async () => {
    for (const connection of Object.values(connections)) connection.dispose();
    await Promise.all(servers.map(stopServer));
    await rm(dir, { recursive: true, force: true });
  };
  const hardStop = setTimeout(() => {
    process.stderr.write('bench/rpc: over its 120 s budget, stopping\n');
    process.exitCode = 1;
    cleanup().finally(() => process.exit());
  }, 120_000);
  hardStop.unref();

  try {
    for (const name of names) {
      const socketPath = join(dir, `${name.replace(/\W/g, '_')}.sock`);
      const server = startServer(name, socketPath, pinned, options.cpuProf);
      servers.push(server);
      await server.ready;
      connections[name] = await connect(name, socketPath);
    }

    for (const name of names) {
      for (const concurrency of CONCURRENCY) await measure(connections[name], concurrency, options.warmup);
    }

    const samples = {}; // `${name}@${concurrency}` -> per-round results
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const concurrency of CONCURRENCY) {
        for (const name of order) {
          (samples[`${name}@${concurrency}`] ??= []).push(await measure(connections[name], concurrency, options.seconds));
        }
      }
    }
    report(names, samples, options, pinned);
  } finally {
    clearTimeout(hardStop);
    await cleanup();
  }
}

function report(names, samples, options, pinned) {
  const rows = [];
  for (const concurrency of CONCURRENCY) {
    for (const name of names) {
      const list = samples[`${name}@${concurrency}`];
      rows.push({
        transport: name,
        concurrency,
        callsPerSec: summarize(list.map((s) => s.callsPerSec)),
        cpuPerCallUs: summarize(list.map((s) => s.cpuPerCallUs)),
        systemPerCallUs: median(list.map((s) => s.systemPerCallUs)),
      });
    }
  }
  const ratios = [];
  for (const baseline of ['stock', 'stock+options']) {
    if (!names.includes('ipc-protocol') || !names.includes(baseline)) continue;
    for (const concurrency of CONCURRENCY) {
      const ours = samples[`ipc-protocol@${concurrency}`];
      const base = samples[`${baseline}@${concurrency}`];
      ratios.push({
        baseline,
        concurrency,
        callsPerSec: summarize(ours.map((s, i) => s.callsPerSec / base[i].callsPerSec)),
        cpuPerCall: summarize(ours.map((s, i) => s.cpuPerCallUs / base[i].cpuPerCallUs)),
      });
    }
  }

  if (options.json) {
    const { json, ...settings } = options;
    process.stdout.write(`${JSON.stringify({ node: process.version, pinned, settings, rows, ratios }, null, 2)}\n`);
    return;
  }
  const n = (value, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const out = [
    `bench/rpc — node ${process.version}, ${options.rounds} rounds × ${options.seconds} s per cell, warm-up ` +
      `${options.warmup} s, ${pinned ? 'client pinned to CPU 0, servers to CPU 1' : 'not pinned'}`,
    '',
    'transport       outstanding   calls/s median (min … max)     CPU µs/call median (min … max)   of it system',
  ];
  for (const r of rows) {
    const rate = `${n(r.callsPerSec.median).padStart(7)} (${n(r.callsPerSec.min)} … ${n(r.callsPerSec.max)})`;
    const cpu = `${n(r.cpuPerCallUs.median, 1).padStart(6)} (${n(r.cpuPerCallUs.min, 1)} … ${n(r.cpuPerCallUs.max, 1)})`;
    out.push(
      `${r.transport.padEnd(16)}${String(r.concurrency).padStart(11)}   ${rate.padEnd(31)}${cpu.padEnd(33)}${n(r.systemPerCallUs, 1).padStart(12)}`,
    );
  }
  out.push('', 'ratios, ipc-protocol ÷ baseline, median of paired rounds (min … max):');
  for (const r of ratios) {
    out.push(
      `  vs ${r.baseline.padEnd(14)} at ${String(r.concurrency).padStart(2)} outstanding: ` +
        `calls/s × ${r.callsPerSec.median.toFixed(2)} (${r.callsPerSec.min.toFixed(2)} … ${r.callsPerSec.max.toFixed(2)}), ` +
        `CPU per call × ${r.cpuPerCall.median.toFixed(2)} (${r.cpuPerCall.min.toFixed(2)} … ${r.cpuPerCall.max.toFixed(2)})`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3], process.argv[4]).catch((error) => {
    process.stderr.write(`bench/rpc server: ${error.stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    process.stderr.write(`bench/rpc: ${error.stack}\n`);
    process.exitCode = 1;
  });
}
