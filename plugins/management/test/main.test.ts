import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { launchTestPlugin } from '@mosn/plugin-sdk/testing';
import { MANAGEMENT_PLUGIN_VERSION } from '../src/index.js';
import { request } from './helpers/http.js';
import { parsePrometheus, valueOf } from './helpers/prometheus-parser.js';
import { hostReport, hostState, workerRegistry, workerReport } from './helpers/reports.js';
import { waitFor } from './helpers/wait.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

test('the executable serves the admin API with the metrics it is sent, sets the log level through its host, and exits 0', async (t) => {
  const plugin = await launchTestPlugin(MAIN, { name: 'management', config: { address: '127.0.0.1:0', admin_token: 'tok' } });
  t.after(() => plugin.close());
  assert.equal(plugin.pluginVersion, MANAGEMENT_PLUGIN_VERSION);
  assert.deepEqual(plugin.initializeResult.hooks, ['metrics']);

  // The bound port (configured 0) is in the start-up log line.
  const port = await waitFor('the "admin API listening" log line', () => plugin.logs.find((l) => typeof l.port === 'number' && String(l.msg).startsWith('admin API listening'))?.port as number | undefined);
  assert.ok(port > 0 && port !== 2024);

  await plugin.metrics(await workerReport(101, workerRegistry({ requests: 7 })));
  await plugin.metrics(await workerReport(102, workerRegistry({ requests: 11 })));
  await plugin.metrics(await hostReport(hostState({ workers: [{ pid: 100, state: 'exited' }, { pid: 101 }, { pid: 102 }] }), { retired: workerRegistry({ requests: 100 }) }));
  const total = await waitFor('118 requests in /stats/prometheus', async () => {
    const reply = await request(port, '/stats/prometheus');
    const value = valueOf(parsePrometheus(reply.body), 'mosn_http_requests_total', { listener: 'ingress', virtual_host: 'vh', status_class: '2xx' });
    return value === 118 ? value : undefined;
  });
  assert.equal(total, 118);
  assert.equal((await request(port, '/ready')).status, 200);

  const update = await request(port, '/api/v1/update_loglevel', { method: 'POST', headers: { authorization: 'Bearer tok' }, body: '{"level":"debug"}' });
  assert.equal(update.status, 200, update.body);
  assert.deepEqual(plugin.hostCalls, [{ method: 'setLogLevel', params: { level: 'debug' } }]);

  assert.equal(await plugin.close(), 0);
  await assert.rejects(request(port, '/'), { code: 'ECONNREFUSED' });
});
