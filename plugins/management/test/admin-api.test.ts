import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError } from '@mosn/plugin-sdk';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { managementPlugin } from '../src/index.js';
import { getJson, request } from './helpers/http.js';
import { manualClock, startPlugin } from './helpers/plugin.js';
import { hostReport, hostState, workerRegistry, workerReport } from './helpers/reports.js';

const ENDPOINTS = [
  '/',
  '/api/v1/stats',
  '/stats/prometheus',
  '/api/v1/config_dump',
  '/api/v1/version',
  '/api/v1/states',
  '/api/v1/plugin',
  '/ready',
  '/clusters',
  '/api/v1/get_loglevel',
  '/api/v1/update_loglevel',
];

test('/ lists every endpoint, one line each, and an unknown path is a 404 with the list', async (t) => {
  const { port } = await startPlugin(t);
  const index = await request(port, '/');
  assert.equal(index.status, 200);
  const lines = index.body.trimEnd().split('\n');
  assert.equal(lines.length, ENDPOINTS.length);
  for (const path of ENDPOINTS) assert.ok(lines.some((l) => l.split(/\s+/)[1] === path), `${path} listed`);

  const missing = await request(port, '/api/v1/nope');
  assert.equal(missing.status, 404);
  assert.match(missing.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(missing.body) as { code: string; error: string; endpoints: string[] };
  assert.equal(body.code, 'MOSN_ERR_ADMIN_NOT_FOUND');
  assert.equal(body.endpoints.length, ENDPOINTS.length);
  assert.ok(body.endpoints.includes('POST /api/v1/update_loglevel'));
});

test('state-changing endpoints need POST (405 with Allow) and read endpoints need GET', async (t) => {
  const { port } = await startPlugin(t);
  const get = await request(port, '/api/v1/update_loglevel');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.equal((JSON.parse(get.body) as { code: string }).code, 'MOSN_ERR_ADMIN_METHOD_NOT_ALLOWED');
  const post = await request(port, '/api/v1/stats', { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const head = await request(port, '/api/v1/version', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('with admin_token, update_loglevel needs the bearer token (401 otherwise) and calls the host', async (t) => {
  const { plugin, port } = await startPlugin(t, { config: { admin_token: 's3cret-token' } });
  const post = (headers: Record<string, string>, body = '{"level":"debug"}') => request(port, '/api/v1/update_loglevel', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const none = await post({});
  assert.equal(none.status, 401);
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="mosn-admin"');
  assert.equal((JSON.parse(none.body) as { code: string }).code, 'MOSN_ERR_ADMIN_UNAUTHORIZED');
  assert.equal((await post({ authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await post({ authorization: 's3cret-token' })).status, 401);
  assert.deepEqual(plugin.hostCalls, [], 'nothing reached the host without the token');
  assert.ok(!none.body.includes('s3cret-token'));

  const ok = await post({ authorization: 'Bearer s3cret-token' });
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual(JSON.parse(ok.body), { previous: 'info', level: 'debug', applies_to: 'the supervisor and every worker' });
  // MOSN's body shape, upper-case level and a log_path.
  const mosn = await post({ authorization: 'Bearer s3cret-token' }, '{"log_path":"./logs/default.log","log_level":"WARN"}');
  assert.equal(mosn.status, 200, mosn.body);
  assert.deepEqual(plugin.hostCalls, [
    { method: 'setLogLevel', params: { level: 'debug' } },
    { method: 'setLogLevel', params: { level: 'warn' } },
  ]);
  assert.deepEqual((await getJson(port, '/api/v1/get_loglevel')).json, { level: 'warn' });

  for (const body of ['', 'debug', '{"level":"verbose"}', '{"level":"info","extra":1}', '[]']) {
    const bad = await post({ authorization: 'Bearer s3cret-token' }, body);
    assert.equal(bad.status, 400, body);
    assert.equal((JSON.parse(bad.body) as { code: string }).code, 'MOSN_ERR_ADMIN_BAD_REQUEST');
  }
  const large = await post({ authorization: 'Bearer s3cret-token' }, `{"level":"${'x'.repeat(70_000)}"}`);
  assert.equal(large.status, 413);
  assert.equal(plugin.hostCalls.length, 2);
});

test('update_loglevel answers 503 when the supervisor is not connected and 502 when it refuses', async (t) => {
  let refuse = false;
  const { port } = await startPlugin(t, {
    host: {
      setLogLevel: async () => {
        if (refuse) throw new Error('workers did not confirm');
        throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.notInitialized, 'host/setLogLevel: expected a connected host (supervisor), found none');
      },
    },
  });
  const post = () => request(port, '/api/v1/update_loglevel', { method: 'POST', body: '{"level":"debug"}' });
  const away = await post();
  assert.equal(away.status, 503);
  assert.equal((JSON.parse(away.body) as { code: string }).code, 'MOSN_ERR_ADMIN_HOST_UNAVAILABLE');
  refuse = true;
  const refused = await post();
  assert.equal(refused.status, 502);
  assert.match(refused.body, /MOSN_ERR_ADMIN_HOST_FAILED[\s\S]*|workers did not confirm/);
});

test('/ready is 503 without a supervisor report, 200 when every worker of the current generation is ready, 503 again otherwise', async (t) => {
  const clock = manualClock();
  const { plugin, port } = await startPlugin(t, { now: clock.now, config: { interval: '1s' } });
  const ready = () => request(port, '/ready');

  const none = await ready();
  assert.equal(none.status, 503);
  assert.match(none.body, /no state from the supervisor/);

  await plugin.metrics(await hostReport(hostState({ generation: 1, workers: [{ pid: 101 }, { pid: 102 }] }), { seq: 1 }));
  const live = await ready();
  assert.equal(live.status, 200);
  assert.equal(live.body, 'LIVE\n');

  // A reload: generation 2 is starting, generation 1 still serves. Not ready for generation 2 yet.
  await plugin.metrics(
    await hostReport(hostState({ generation: 2, ready: false, stage: 'reloading', workers: [{ pid: 101, generation: 1 }, { pid: 102, generation: 1 }, { pid: 103, state: 'starting' }, { pid: 104 }] }), { seq: 2 }),
  );
  const reloading = await ready();
  assert.equal(reloading.status, 503);
  assert.match(reloading.body, /1 of 2 workers of generation 2 ready/);

  await plugin.metrics(await hostReport(hostState({ generation: 2, workers: [{ pid: 101, generation: 1, state: 'draining' }, { pid: 103 }, { pid: 104 }] }), { seq: 3 }));
  assert.equal((await ready()).status, 200);

  // The supervisor stops reporting: after 3 intervals its state is too old to vouch for.
  clock.advance(3_000);
  const stale = await ready();
  assert.equal(stale.status, 503);
  assert.match(stale.body, /3000 ms old/);
});

test('a port in use is reported and retried until it is free (a reload\'s previous instance lets go of it)', async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  const plugin = await createTestPlugin(managementPlugin, { config: { address: `127.0.0.1:${port}` } });
  t.after(() => plugin.close());
  const warning = plugin.logs.find((l) => l['code'] === 'MOSN_ERR_ADMIN_LISTEN_FAILED');
  assert.match(String(warning?.['msg']), new RegExp(`cannot serve the admin API on 127\\.0\\.0\\.1:${port}: the address is in use .*EADDRINUSE.*retrying`));
  await new Promise((resolve) => blocker.close(resolve));
  const deadline = Date.now() + 5_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = await request(port, '/').then((r) => r.status, () => 0);
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(status, 200, 'the admin API serves once the port is free');
});

test('an invalid address is refused with the path of the problem', async () => {
  await assert.rejects(createTestPlugin(managementPlugin, { config: { address: 'localhost' } }), { code: 'MOSN_ERR_PLUGIN_CONFIG_INVALID', message: /expected "host:port"[\s\S]*at address/ });
  await assert.rejects(createTestPlugin(managementPlugin, { config: { address: '127.0.0.1:0', bogus: true } }), { code: 'MOSN_ERR_PLUGIN_CONFIG_INVALID' });
});

test('shutdown closes the admin server', async (t) => {
  const { plugin, port } = await startPlugin(t);
  assert.equal((await request(port, '/')).status, 200);
  await plugin.close();
  await assert.rejects(request(port, '/'), { code: 'ECONNREFUSED' });
});

test('/api/v1/states, /api/v1/version and /api/v1/plugin show the supervisor\'s state', async (t) => {
  const { plugin, port } = await startPlugin(t);
  const noState = await request(port, '/api/v1/states');
  assert.equal(noState.status, 503);
  assert.equal((JSON.parse(noState.body) as { code: string }).code, 'MOSN_ERR_ADMIN_NO_HOST_STATE');
  assert.deepEqual((await getJson(port, '/api/v1/version')).json, { version: null, management_plugin: { name: 'management', version: '0.1.0' } });

  await plugin.metrics(await hostReport(hostState({ generation: 3, workers: [{ pid: 101 }, { pid: 100, generation: 2, state: 'exited' }] })));
  const states = (await getJson(port, '/api/v1/states')).json as Record<string, unknown> & { workers: { pid: number; state: string }[] };
  assert.equal(states.pid, 4242);
  assert.equal(states.state, 'running');
  assert.equal(states.generation, 3);
  assert.equal(states.ready, true);
  assert.deepEqual(states.workers.map((w) => [w.pid, w.state]), [[101, 'ready'], [100, 'exited']]);
  assert.equal(((await getJson(port, '/api/v1/version')).json as { version: string }).version, '0.1.0');

  const all = (await getJson(port, '/api/v1/plugin?status=all')).json as { plugins: { name: string; state: string }[] };
  assert.deepEqual(all.plugins.map((p) => [p.name, p.state]), [['management', 'running'], ['auth', 'backoff']]);
  assert.equal(((await getJson(port, '/api/v1/plugin?status=auth')).json as { restarts: number }).restarts, 2);
  assert.equal((await request(port, '/api/v1/plugin?status=nope')).status, 404);
  assert.equal((await request(port, '/api/v1/plugin?enable=auth')).status, 400);
  assert.equal((await request(port, '/api/v1/states?verbose=1')).status, 400);
});

test('/api/v1/stats answers MOSN\'s console format, filtered by ?key=', async (t) => {
  const { plugin, port } = await startPlugin(t);
  await plugin.metrics(await workerReport(101, workerRegistry({ requests: 7, hostRequests: 5, durations: [0.1] })));
  await plugin.metrics(await workerReport(102, workerRegistry({ requests: 11, hostRequests: 6, durations: [0.2] })));
  assert.equal((await request(port, '/api/v1/stats')).status, 503, 'no supervisor report yet');
  await plugin.metrics(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 102 }] })));
  const all = (await getJson(port, '/api/v1/stats')).json as Record<string, Record<string, Record<string, string>>>;
  assert.equal(all.downstream?.['listener.ingress.status_class.2xx.virtual_host.vh']?.mosn_http_requests_total, '18');
  assert.equal(all.downstream?.['listener.ingress']?.mosn_http_request_duration_seconds_count, '2');
  assert.equal(all.upstream?.['cluster.backend.host.10.0.0.1:8080']?.mosn_host_requests_total, '11');
  assert.equal(all.upstream?.['cluster.backend']?.mosn_cluster_requests_total, '11');

  assert.deepEqual((await getJson(port, '/api/v1/stats?key=upstream.cluster.backend')).json, { upstream: { 'cluster.backend': { mosn_cluster_requests_total: '11' } } });
  assert.deepEqual(Object.keys((await getJson(port, '/api/v1/stats?key=downstream')).json as object), ['downstream']);
  const missing = await request(port, '/api/v1/stats?key=upstream.cluster.nope');
  assert.equal(missing.status, 404);
  assert.match(missing.body, /no metrics key: upstream\.cluster\.nope/);
});

test('/clusters shows each host with its health across workers and its stats', async (t) => {
  const { plugin, port } = await startPlugin(t);
  await plugin.metrics(await workerReport(101, workerRegistry({ requests: 1, hostRequests: 5 })));
  await plugin.metrics(await workerReport(102, workerRegistry({ requests: 1, hostRequests: 6 })));
  await plugin.metrics(await hostReport(hostState({ workers: [{ pid: 101 }, { pid: 102 }] })));
  const text = await request(port, '/clusters');
  assert.equal(text.status, 200);
  assert.deepEqual(text.body.trimEnd().split('\n'), [
    'backend::upstream_rq_total::11',
    'backend::10.0.0.1:8080::rq_total::11',
    'backend::10.0.0.1:8080::health_flags::healthy',
    'backend::10.0.0.1:8080::workers_reporting::2',
    'backend::10.0.0.1:8080::workers_healthy::2',
    'backend::10.0.0.1:8080::workers_ejected::0',
  ]);

  // Worker 102's health check fails the host and worker 101 ejects it.
  await plugin.metrics(await workerReport(101, workerRegistry({ requests: 1, hostRequests: 5, ejected: 1 }), { seq: 2 }));
  await plugin.metrics(await workerReport(102, workerRegistry({ requests: 1, hostRequests: 6, healthy: 0 }), { seq: 2 }));
  const json = (await getJson(port, '/clusters?format=json')).json as { cluster_statuses: { name: string; host_statuses: Record<string, unknown>[] }[] };
  assert.deepEqual(json.cluster_statuses[0]?.host_statuses[0], {
    address: '10.0.0.1:8080',
    health_flags: '/failed_active_hc/failed_outlier_check',
    healthy: false,
    ejected: true,
    workers: { reporting: 2, healthy: 1, ejected: 1 },
    stats: { rq_total: 11 },
  });
  assert.equal((await request(port, '/clusters?format=xml')).status, 400);
});
