import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn, tempDir, writeConfig } from './helpers/mosn-process.js';
import { workersOf } from './helpers/processes.js';
import { startHttpUpstream } from './helpers/upstream.js';

const valid = () =>
  mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', ['127.0.0.1:9'])],
  });

const YAML_WITH_TYPO = `servers:
  - routers:
      - router_config_name: r
        virtual_hosts:
          - name: all
            domains: ["*"]
            routers:
              - match: { prefix: / }
                route: { cluster_name: up }
    listeners:
      - name: http
        address: 127.0.0.1:0
        bind_prot: true
        filter_chains:
          - filters:
              - type: proxy
                config: { downstream_protocol: Http1, upstream_protocol: Http1, router_config_name: r }
cluster_manager:
  clusters:
    - name: up
      type: SIMPLE
      lb_type: LB_ROUNDROBIN
      hosts: [{ address: "127.0.0.1:9" }]
`;

test('start refuses an invalid config with file:line:col and path, exit 1, nothing started', async (t) => {
  const dir = await tempDir(t);
  const cases: { name: string; config: unknown; file?: string; expect: RegExp }[] = [
    { name: 'unknown key', config: YAML_WITH_TYPO, file: 'bad.yaml', expect: /bad\.yaml:13:9 .*servers\[0\]\.listeners\[0\].*bind_prot/ },
    {
      name: 'wrong type',
      config: { ...valid(), workers: { count: 'two' } },
      expect: /mosn\.json:\d+:\d+ .*workers\.count/,
    },
    {
      name: 'unsupported MOSN key',
      config: { ...valid(), tracing: { enable: true } },
      expect: /tracing.*not support/i,
    },
    {
      name: 'route to a missing cluster',
      config: mosnConfig({ listeners: [httpListener('http', 'r')], routers: [catchAllRouter('r', 'ghost')], clusters: [] }),
      expect: /servers\[0\]\.routers\[0\]\.virtual_hosts\[0\]\.routers\[0\]\.route\.cluster_name.*ghost/,
    },
    {
      name: 'duplicate listener address',
      config: mosnConfig({
        listeners: [httpListener('a', 'r', '127.0.0.1:18080'), httpListener('b', 'r', '127.0.0.1:18080')],
        routers: [catchAllRouter('r', 'up')],
        clusters: [cluster('up', ['127.0.0.1:9'])],
      }),
      expect: /servers\[0\]\.listeners\[1\]\.address.*127\.0\.0\.1:18080/,
    },
  ];
  for (const c of cases) {
    const file = await writeConfig(dir, c.config, c.file ?? 'mosn.json');
    const result = await runMosnctl(['start', '-c', file]);
    assert.equal(result.code, 1, `${c.name}: exit code`);
    assert.match(result.stderr, c.expect, `${c.name}: message`);
    assert.equal(existsSync(path.join(dir, 'mosn.sock')), false, `${c.name}: no control socket left`);
    const check = await runMosnctl(['check', '-c', file]);
    assert.equal(check.code, 1, `${c.name}: check exit code`);
    assert.match(check.stderr, c.expect, `${c.name}: check message`);
  }
});

test('check accepts a valid config; usage errors exit 2; a missing file exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = await writeConfig(dir, valid());
  const ok = await runMosnctl(['check', '-c', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ok/);
  assert.equal((await runMosnctl(['check'])).code, 2);
  assert.equal((await runMosnctl(['frobnicate'])).code, 2);
  const missing = await runMosnctl(['check', '-c', path.join(dir, 'nope.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.json/);
});

test('start fails with exit 1 naming the listener and address when the port is in use, leaving no worker', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const taken = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
  const dir = await tempDir(t);
  const file = await writeConfig(dir, mosnConfig({
    listeners: [httpListener('public_http', 'r', taken)],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', ['127.0.0.1:9'])],
  }));
  const result = await runMosnctl(['start', '-c', file]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /public_http/);
  assert.match(result.stderr, new RegExp(taken.replace(/\./g, '\\.')));
  assert.match(result.stderr, /in use/i);
  assert.equal(existsSync(path.join(dir, 'mosn.sock')), false);
  assert.deepEqual(workersOf(result.pid), [], 'the workers that tried to listen are gone');
});

test('a malformed HTTP request gets 400 and the worker keeps serving', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('fine'));
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
  }), { workers: 1 });
  const port = mosn.port('http');
  const garbage = ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n'];
  for (const raw of garbage) {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400 /, `reply to ${JSON.stringify(raw)}`);
  }
  const ok = await request(port);
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'fine');
  const status = await mosn.status();
  assert.equal(status.workers[0]?.restarts, 0, 'the worker did not crash');
});

test('a malformed frame on the control socket closes that connection and the supervisor keeps running', async (t) => {
  const mosn = await startMosn(t, valid(), { workers: 1 });
  for (const frame of [Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([0xc1, 0xc1, 0xc1])])]) {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(path.join(mosn.dir, 'mosn.sock'), () => socket.write(frame));
      socket.on('close', () => resolve());
      socket.on('error', reject);
      socket.resume();
    });
  }
  const status = await mosn.status();
  assert.equal(status.supervisor.state, 'running');
  assert.equal(mosn.child.exitCode, null);
  assert.deepEqual(await waitFor(() => workersOf(status.supervisor.pid).length === 1 ? true : undefined, 'the worker'), true);
});
