// Access logs end to end: the real mosnctl, 2 workers, the real logging-bypass plugin writing
// real files; records checked line by line.
import assert from 'node:assert/strict';
import { readFile, readdir, rename } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { startLoad } from './helpers/load.js';
import { runMosnctl, startMosn, tempDir, type RunningMosn } from './helpers/mosn-process.js';
import { startHttpUpstream, unusedAddress } from './helpers/upstream.js';

const LOGGING_MAIN = fileURLToPath(new URL('../../../plugins/logging-bypass/dist/src/main.js', import.meta.url));
const FORMAT = '%request_method% %request_path% %response_code% %downstream_remote_address% %REQ.x-conn% %RESP.x-up% %request_id%';

interface LogSetup {
  readonly dir: string;
  readonly textLog: string;
  readonly jsonLog: string;
}

function logConfig(upstream: string, setup: LogSetup, options: { filter?: Json; plugin?: Json } = {}): Json {
  const listener = {
    ...httpListener('http', 'r'),
    stream_filters: [{ type: 'access_log', config: { plugin: 'access-log', ...options.filter } }],
    access_logs: [{ log_path: setup.textLog, log_format: FORMAT }, { log_path: setup.jsonLog }],
  };
  return mosnConfig({
    listeners: [listener],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream])],
    top: { plugins: [{ name: 'access-log', command: process.execPath, args: [LOGGING_MAIN], ...options.plugin }] },
  });
}

async function setupLogs(t: TestContext): Promise<LogSetup> {
  const dir = await tempDir(t);
  return { dir, textLog: join(dir, 'access.log'), jsonLog: join(dir, 'access.json') };
}

async function upstreamTagging(t: TestContext) {
  return startHttpUpstream(t, (_req, res) => {
    res.setHeader('x-up', 'yes');
    res.end('ok');
  });
}

async function lines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function linesAtLeast(path: string, count: number, timeoutMs = 10_000): Promise<string[]> {
  return waitFor(
    async () => {
      const got = await lines(path);
      return got.length >= count ? got : undefined;
    },
    `${count} lines in ${path}`,
    timeoutMs,
  );
}

/** `count` sequential requests on one keep-alive connection (so one worker), tagged with `conn`. */
async function sequentialRequests(port: number, conn: string, count: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < count; i++) {
      const res = await request(port, { path: `/${conn}/${i}`, headers: { 'x-conn': conn }, agent });
      assert.equal(res.status, 200);
    }
  } finally {
    agent.destroy();
  }
}

function pluginPid(status: Awaited<ReturnType<RunningMosn['status']>>): number {
  const pid = status.plugins.find((p) => p.name === 'access-log')?.pid;
  assert.ok(typeof pid === 'number', 'the logging plugin runs');
  return pid;
}

test('every request is logged once, in the MOSN format and as JSON lines, in order per connection across 2 workers', async (t) => {
  const upstream = await upstreamTagging(t);
  const setup = await setupLogs(t);
  const mosn = await startMosn(t, logConfig(upstream.address, setup), { workers: 2 });
  const port = mosn.port('http');

  const conns = ['a', 'b', 'c', 'd', 'e', 'f'];
  await Promise.all(conns.map((c) => sequentialRequests(port, c, 40)));
  const total = conns.length * 40;

  const text = await linesAtLeast(setup.textLog, total);
  const json = await linesAtLeast(setup.jsonLog, total);
  assert.equal(text.length, total, 'nothing written twice');
  assert.equal(json.length, total);

  const seen = new Map<string, number[]>();
  const ids = new Set<string>();
  for (const line of text) {
    const [method, path, status, remote, conn, up, id] = line.split(' ');
    assert.equal(method, 'GET');
    assert.equal(status, '200');
    assert.equal(up, 'yes', 'a response header named by %RESP.x-up%');
    assert.match(String(remote), /^127\.0\.0\.1:\d+$/);
    const [, pathConn, index] = String(path).split('/');
    assert.equal(conn, pathConn, '%REQ.x-conn% is the request header');
    seen.set(String(conn), [...(seen.get(String(conn)) ?? []), Number(index)]);
    ids.add(String(id));
  }
  assert.equal(ids.size, total, 'every line has its own request id');
  for (const c of conns) assert.deepEqual(seen.get(c), Array.from({ length: 40 }, (_, i) => i), `connection ${c} in order`);

  const record = JSON.parse(json[0] as string) as Record<string, unknown>;
  assert.equal(record['request_method'] ?? record['method'], 'GET');
  // (Which worker takes a connection is the kernel's choice; each connection's lines are in order.)
  const status = await mosn.status();
  assert.equal(status.supervisor.totals.accessLogDropped, 0);
});

test('rotation by size keeps every record exactly once across the current and the gzip-compressed rotated files', async (t) => {
  const upstream = await upstreamTagging(t);
  const setup = await setupLogs(t);
  // Small batches, so that the plugin writes many times whatever the pace of the requests (size
  // rotation is checked before each write; one big batch would rotate once).
  const config = logConfig(upstream.address, setup, { filter: { batch_size: 10 }, plugin: { config: { rotation: { max_size: '4KB', keep: 100, compress: true } } } });
  const mosn = await startMosn(t, config, { workers: 2 });
  const port = mosn.port('http');
  await Promise.all(['a', 'b', 'c'].map((c) => sequentialRequests(port, c, 100)));

  const all = await waitFor(
    async () => {
      const names = await readdir(setup.dir);
      const rotated = names.filter((n) => n.startsWith('access.log.'));
      // Compression finished: every rotated file is a .gz (no plain or .tmp one left).
      if (rotated.length === 0 || rotated.some((n) => !n.endsWith('.gz'))) return undefined;
      const texts = await Promise.all(rotated.map(async (n) => gunzipSync(await readFile(join(setup.dir, n))).toString('utf8')));
      const got = [...texts.join('').split('\n'), ...(await lines(setup.textLog))].filter((l) => l !== '');
      return got.length >= 300 ? { got, rotated } : undefined;
    },
    '300 records across the rotated (compressed) and current files',
    15_000,
  );
  assert.ok(all.rotated.length >= 2, `expected several rotations of a 4KB log, found ${all.rotated.length}`);
  const paths = all.got.map((l) => l.split(' ')[1]);
  assert.equal(new Set(paths).size, 300, 'each request exactly once');
  assert.equal(all.got.length, 300);
});

test('killing the logging plugin under load: no proxy error, and every request is logged or counted as dropped, never twice', async (t) => {
  const upstream = await upstreamTagging(t);
  const setup = await setupLogs(t);
  const mosn = await startMosn(t, logConfig(upstream.address, setup), { workers: 2 });
  const port = mosn.port('http');
  const before = pluginPid(await mosn.status());

  const load = startLoad({ port, keepAliveClients: 6, newConnectionClients: 2 });
  await waitFor(() => (load.completed > 300 ? true : undefined), '300 requests under load');
  process.kill(before, 'SIGKILL');
  await waitFor(
    async () => {
      const p = (await mosn.status()).plugins.find((x) => x.name === 'access-log');
      return p?.state === 'running' && p.pid !== before ? p : undefined;
    },
    'the logging plugin back',
    5_000,
  );
  const served = load.completed;
  await waitFor(() => (load.completed > served + 300 ? true : undefined), '300 more requests after the restart');
  const report = await load.stop();
  assert.deepEqual(report.errors, {}, 'no connection error');
  assert.deepEqual(report.non2xx, {}, 'no failed request');

  // Lines written plus records counted as dropped account for every request; nothing twice.
  const settled = await waitFor(
    async () => {
      const logged = await lines(setup.textLog);
      const dropped = (await mosn.status()).supervisor.totals.accessLogDropped;
      return logged.length + dropped >= report.requests ? { logged, dropped } : undefined;
    },
    'every record written or counted',
    10_000,
  );
  const ids = settled.logged.map((l) => l.split(' ')[6]);
  assert.equal(new Set(ids).size, ids.length, 'no record written twice');
  assert.ok(settled.logged.length <= report.requests);
  assert.ok(settled.logged.length > report.requests / 2, `most records survive: ${settled.logged.length} of ${report.requests}, ${settled.dropped} dropped`);
});

test('a frozen logging plugin does not hold forwarding up: requests go on at the same pace and the overflow is counted', async (t) => {
  const upstream = await upstreamTagging(t);
  const setup = await setupLogs(t);
  const config = logConfig(upstream.address, setup, { filter: { batch_size: 10, flush_interval: '10ms', queue_size: 50 } });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const median = async (n: number): Promise<number> => {
    const took: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      const res = await request(port, { path: `/m/${i}`, agent });
      assert.equal(res.status, 200);
      took.push(performance.now() - start);
    }
    return took.sort((a, b) => a - b)[Math.floor(n / 2)] as number;
  };
  await median(100); // warm up
  const running = await median(200);
  const pid = pluginPid(await mosn.status());
  process.kill(pid, 'SIGSTOP');
  t.after(() => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already replaced (the supervisor kills a plugin that misses its heartbeats)
    }
  });
  const frozen = await median(200);
  process.kill(pid, 'SIGCONT');
  // Not a benchmark: a generous bound that only fails if forwarding waited for the plugin.
  assert.ok(frozen < running * 3 + 5, `median with the plugin frozen ${frozen.toFixed(2)} ms vs running ${running.toFixed(2)} ms`);
  const dropped = (await mosn.status()).supervisor.totals.accessLogDropped;
  assert.ok(dropped > 0, 'the queue of 50 overflowed while the plugin did not read, and the drops are counted');
});

test('mosnctl logs reopen and SIGUSR1 make the plugin reopen its files after logrotate moved them', async (t) => {
  const upstream = await upstreamTagging(t);
  const setup = await setupLogs(t);
  const mosn = await startMosn(t, logConfig(upstream.address, setup), { workers: 1 });
  const port = mosn.port('http');

  await sequentialRequests(port, 'first', 5);
  await linesAtLeast(setup.textLog, 5);
  await rename(setup.textLog, `${setup.textLog}.1`);
  const reopened = await runMosnctl(['logs', 'reopen', '-c', mosn.configFile]);
  assert.equal(reopened.code, 0, reopened.stderr);
  assert.match(reopened.stdout, /asked to reopen their logs: access-log/);
  await sequentialRequests(port, 'second', 5);
  const second = await linesAtLeast(setup.textLog, 5);
  assert.ok(second.every((l) => l.includes(' second ')), 'the new file has only the new records');
  assert.equal((await lines(`${setup.textLog}.1`)).length, 5, 'the moved file kept the old ones');

  await rename(setup.textLog, `${setup.textLog}.2`);
  process.kill(mosn.child.pid as number, 'SIGUSR1');
  await waitFor(() => (mosn.output.includes('reopen logs: asked the logging plugins') ? true : undefined), 'the supervisor to pass SIGUSR1 on');
  await sequentialRequests(port, 'third', 5);
  const third = await linesAtLeast(setup.textLog, 5);
  assert.ok(third.every((l) => l.includes(' third ')));
});

test('failed exchanges are logged with their response flag and a request id: no route, connect failure, reset after the head', async (t) => {
  const dead = await unusedAddress();
  const resetting = await startHttpUpstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setImmediate(() => res.socket?.destroy());
  });
  const setup = await setupLogs(t);
  const routers = [
    {
      router_config_name: 'r',
      virtual_hosts: [
        {
          name: 'v',
          domains: ['*'],
          routers: [
            { match: { prefix: '/dead' }, route: { cluster_name: 'dead' } },
            { match: { prefix: '/reset' }, route: { cluster_name: 'resetting' } },
          ],
        },
      ],
    },
  ];
  const config = mosnConfig({
    listeners: [
      {
        ...httpListener('http', 'r'),
        stream_filters: [{ type: 'access_log', config: { plugin: 'access-log', flush_interval: '10ms' } }],
        access_logs: [{ log_path: setup.textLog, log_format: '%request_path% %response_code% %response_flag% %request_id%' }],
      },
    ],
    routers,
    clusters: [cluster('dead', [dead]), cluster('resetting', [resetting.address])],
    top: { plugins: [{ name: 'access-log', command: process.execPath, args: [LOGGING_MAIN] }] },
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  assert.equal((await request(port, { path: '/nowhere' })).status, 404);
  assert.equal((await request(port, { path: '/nowhere-again' })).status, 404);
  assert.equal((await request(port, { path: '/nowhere-with-id', headers: { 'x-request-id': 'client-id-1' } })).status, 404);
  assert.equal((await request(port, { path: '/dead' })).status, 502);
  await request(port, { path: '/reset' }).catch(() => undefined); // the client sees a truncated response
  const logged = await linesAtLeast(setup.textLog, 5);
  const byPath = new Map(logged.map((line) => [line.split(' ')[0], line.split(' ')]));
  assert.deepEqual(byPath.get('/nowhere')?.slice(1, 3), ['404', 'NR'], logged.join('\n'));
  assert.deepEqual(byPath.get('/dead')?.slice(1, 3), ['502', 'UF'], logged.join('\n'));
  assert.deepEqual(byPath.get('/reset')?.slice(1, 3), ['200', 'UR'], logged.join('\n'));
  // A request answered by the proxy itself still has an id in its line (generated, as Envoy does),
  // its own; the client's when it sent one.
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const generated = ['/nowhere', '/nowhere-again', '/dead', '/reset'].map((path) => byPath.get(path)?.[3]);
  for (const id of generated) assert.match(String(id), UUID, logged.join('\n'));
  assert.equal(new Set(generated).size, 4, 'one id per request');
  assert.equal(byPath.get('/nowhere-with-id')?.[3], 'client-id-1');
});

/**
 * Sends `chunks` on one connection, one write each, and returns the bytes of each response in the
 * order they came (responses here all have a content-length).
 */
async function rawExchanges(port: number, chunks: readonly string[], responses: number): Promise<Buffer[]> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let input = Buffer.alloc(0);
    const out: Buffer[] = [];
    const next = (): void => {
      for (;;) {
        const headEnd = input.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = /\r\ncontent-length: *(\d+)/i.exec(input.subarray(0, headEnd).toString('latin1'));
        assert.ok(length !== null, 'every response here has a content-length');
        const total = headEnd + 4 + Number(length[1]);
        if (input.length < total) return;
        out.push(input.subarray(0, total));
        input = input.subarray(total);
      }
    };
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        input = Buffer.concat([input, chunk]);
        next();
        if (out.length >= responses) resolve();
      });
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`connection closed after ${out.length} of ${responses} responses`)));
    });
    for (const chunk of chunks) {
      const before = out.length;
      socket.write(chunk, 'latin1');
      // One request at a time unless a chunk holds several (pipelined): wait for its answer(s).
      const expected = before + (chunk.match(/ HTTP\/1\.1\r\n/g)?.length ?? 0);
      await waitFor(() => (out.length >= Math.min(expected, responses) ? true : undefined), `response ${expected}`, 10_000, 5);
    }
    await done;
    return out;
  } finally {
    socket.destroy();
  }
}

test('%bytes_received% and %bytes_sent% are the exact bytes of each exchange, also on keep-alive, with a body, pipelined and for a local reply', async (t) => {
  const upstream = await startHttpUpstream(t, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.end(req.url === '/big' ? 'x'.repeat(20_000) : 'ok ' + req.url);
    });
  });
  const setup = await setupLogs(t);
  const config = mosnConfig({
    listeners: [
      {
        ...httpListener('http', 'r'),
        stream_filters: [{ type: 'access_log', config: { plugin: 'access-log', flush_interval: '10ms' } }],
        access_logs: [{ log_path: setup.textLog, log_format: '%request_path% %bytes_received% %bytes_sent%' }],
      },
    ],
    routers: [
      {
        router_config_name: 'r',
        // Host "b" matches no virtual host: the proxy answers 404 itself.
        virtual_hosts: [{ name: 'v', domains: ['a'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'up' } }] }],
      },
    ],
    clusters: [cluster('up', [upstream.address])],
    top: { plugins: [{ name: 'access-log', command: process.execPath, args: [LOGGING_MAIN] }] },
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const requests = [
    'GET /first HTTP/1.1\r\nhost: a\r\n\r\n',
    'GET /local HTTP/1.1\r\nhost: b\r\n\r\n',
    'POST /body HTTP/1.1\r\nhost: a\r\ncontent-length: 11\r\n\r\nhello world',
    'GET /big HTTP/1.1\r\nhost: a\r\nx-pad: ' + 'p'.repeat(300) + '\r\n\r\n',
    // Two pipelined in one write: each line counts its own request, not the one read with it.
    'GET /pipe1 HTTP/1.1\r\nhost: a\r\n\r\n' + 'POST /pipe2 HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\nabc',
  ];
  const responses = await rawExchanges(mosn.port('http'), requests, 6);
  const sent = requests.flatMap((r, i) => (i === 4 ? [r.slice(0, r.indexOf('POST')), r.slice(r.indexOf('POST'))] : [r]));
  const paths = ['/first', '/local', '/body', '/big', '/pipe1', '/pipe2'];
  const expected = paths.map((path, i) => `${path} ${Buffer.byteLength(sent[i] as string, 'latin1')} ${(responses[i] as Buffer).length}`);
  const logged = await linesAtLeast(setup.textLog, 6);
  assert.deepEqual(logged, expected);
  assert.match((responses[1] as Buffer).toString('latin1'), /^HTTP\/1\.1 404 /, 'the proxy answered /local itself');
  assert.ok((responses[3] as Buffer).length > 20_000, 'the big response was relayed in several writes');
});

test('the step durations are when the request was read and the response head came, on a listener whose logs print them', async (t) => {
  const upstream = await startHttpUpstream(t, (req, res) => {
    req.resume();
    // The response head comes 60 ms after the request was read, the body 40 ms after the head.
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        setTimeout(() => res.end('ok'), 40);
      }, 60),
    );
  });
  const setup = await setupLogs(t);
  const timed = { log_path: setup.textLog, log_format: '%request_path% %request_received_duration% %response_received_duration% %duration%' };
  const config = mosnConfig({
    listeners: [
      { ...httpListener('timed', 'r'), stream_filters: [{ type: 'access_log', config: { plugin: 'access-log', flush_interval: '10ms' } }], access_logs: [timed, { log_path: setup.jsonLog }] },
      // Its only log prints no step: the proxy does not time them (the total duration still is).
      {
        ...httpListener('untimed', 'r'),
        stream_filters: [{ type: 'access_log', config: { plugin: 'access-log', flush_interval: '10ms' } }],
        access_logs: [{ log_path: join(setup.dir, 'untimed.log'), log_format: '%request_path% %duration%' }],
      },
    ],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
    top: { plugins: [{ name: 'access-log', command: process.execPath, args: [LOGGING_MAIN] }] },
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  // A first request, so that the worker's code is compiled before the one measured.
  assert.equal((await request(mosn.port('timed'), { path: '/warm-up' })).status, 200);
  // The body comes 80 ms after the head: the request is read only then.
  const socket = net.connect(mosn.port('timed'), '127.0.0.1');
  t.after(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answered = new Promise<void>((resolve, reject) => {
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      if (got.endsWith('\r\n0\r\n\r\n') || /content-length: 2\r\n[\s\S]*\r\n\r\nok$/i.test(got)) resolve();
    });
    socket.once('error', reject);
  });
  socket.write('POST /slow-body HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 80));
  socket.write('hello');
  await answered;
  const untimed = await request(mosn.port('untimed'), { path: '/untimed' });
  assert.equal(untimed.status, 200);

  const [, line] = await linesAtLeast(setup.textLog, 2);
  const [path, received, head, total] = String(line).split(' ');
  assert.equal(path, '/slow-body');
  assert.ok(Number(received) >= 70, `the request was read ≥ 80 ms after its head, found ${received} ms`);
  assert.ok(Number(head) - Number(received) >= 55, `the response head came ≥ 60 ms after the request was read, found ${head} − ${received} ms`);
  assert.ok(Number(total) - Number(head) >= 35, `the response ended ≥ 40 ms after its head, found ${total} − ${head} ms`);
  const [, json] = await linesAtLeast(setup.jsonLog, 2);
  const record = JSON.parse(String(json)) as Record<string, unknown>;
  assert.equal(record['request_received_duration'], Number(received));
  assert.equal(record['response_received_duration'], Number(head));
  const [untimedLine] = await linesAtLeast(join(setup.dir, 'untimed.log'), 1);
  assert.match(String(untimedLine), /^\/untimed \d+(\.\d+)?$/);
  assert.ok(Number(String(untimedLine).split(' ')[1]) >= 95, 'the total duration is timed on every listener');
});
