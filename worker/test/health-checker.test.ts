import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthCheckConfig, HostConfig } from '@mosn/config';
import { HealthChecker, parseStatusLine } from '../src/upstream/health-checker.js';
import { closedPort, silentLogger, startNetServer, startUpstream, waitFor } from './helpers/servers.js';

const host = (port: number): HostConfig => ({ address: '127.0.0.1:' + port, host: '127.0.0.1', port, weight: 1 });

function checker(t: import('node:test').TestContext, hosts: HostConfig[], o: Partial<HealthCheckConfig> = {}) {
  const healthy = hosts.map(() => true);
  const changes: string[] = [];
  const hc = new HealthChecker(
    { hosts, setHealthy: (i, h) => { healthy[i] = h; changes.push(`${i}:${h ? 'up' : 'down'}`); } },
    {
      protocol: 'Http1',
      timeout: 200,
      interval: 20,
      interval_jitter: 5,
      healthy_threshold: 1,
      unhealthy_threshold: 1,
      service_name: undefined,
      http_check_config: { path: '/health', port: undefined, expected_statuses: [200] },
      ...o,
    },
    silentLogger,
  );
  t.after(() => hc.close());
  hc.start();
  return { hc, healthy, changes };
}

test('HTTP checks: an expected status passes; another status, garbage, a hang or a refusal fail, without throwing', async (t) => {
  let status = 200;
  const good = await startUpstream(t, (req, res) => {
    res.statusCode = req.url === '/health' ? status : 404;
    res.end();
  });
  const garbage = await startNetServer(t, (s) => s.end('SSH-2.0-OpenSSH\r\n'));
  const hang = await startNetServer(t, () => undefined);
  const halfLine = await startNetServer(t, (s) => s.end('HTTP/1.1 2'));
  const refused = await closedPort();
  const { hc, healthy } = checker(t, [host(good.port), host(garbage.port), host(hang.port), host(halfLine.port), host(refused)]);
  await waitFor(() => !healthy[1] && !healthy[2] && !healthy[3] && !healthy[4], 'the bad hosts to be unhealthy');
  await waitFor(() => hc.checksTotal > 20, 'more checks');
  assert.equal(healthy[0], true);
  status = 503;
  await waitFor(() => !healthy[0], 'a 503 to make the host unhealthy');
  status = 200;
  await waitFor(() => healthy[0] === true, 'the host healthy again');
});

test('thresholds: unhealthy after N failures in a row, healthy after M passes in a row', async (t) => {
  let ok = true;
  let served = 0;
  const up = await startUpstream(t, (_req, res) => {
    served++;
    res.statusCode = ok ? 200 : 500;
    res.end();
  });
  const { healthy, changes } = checker(t, [host(up.port)], { unhealthy_threshold: 3, healthy_threshold: 2, interval_jitter: 0 });
  await waitFor(() => served >= 2, 'two checks');
  ok = false;
  const failedFrom = served;
  await waitFor(() => !healthy[0], 'unhealthy');
  assert.ok(served - failedFrom >= 3, `unhealthy after ${served - failedFrom} failed checks`);
  ok = true;
  const passFrom = served;
  await waitFor(() => healthy[0] === true, 'healthy again');
  assert.ok(served - passFrom >= 2, `healthy after ${served - passFrom} passes`);
  assert.deepEqual(changes, ['0:down', '0:up']);
});

test('TCP checks: a listener passes, a closed port fails; expected_statuses lists every passing code', async (t) => {
  const open = await startNetServer(t, () => undefined);
  const refused = await closedPort();
  const { healthy, hc } = checker(t, [host(open.port), host(refused)], { protocol: undefined, http_check_config: undefined });
  await waitFor(() => !healthy[1], 'the closed port unhealthy');
  await waitFor(() => hc.checksTotal > 6, 'more checks');
  assert.equal(healthy[0], true);

  const up = await startUpstream(t, (_req, res) => {
    res.statusCode = 204;
    res.end();
  });
  const two = checker(t, [host(up.port)], { http_check_config: { path: '/', port: undefined, expected_statuses: [200, 204] } });
  await waitFor(() => two.hc.checksTotal > 3, 'checks');
  assert.equal(two.healthy[0], true);
});

test('status lines are parsed strictly', () => {
  assert.equal(parseStatusLine('HTTP/1.1 200 OK'), 200);
  assert.equal(parseStatusLine('HTTP/1.0 503'), 503);
  assert.equal(parseStatusLine('HTTP/2 200'), undefined);
  assert.equal(parseStatusLine('HTTP/1.1 2000 OK'), undefined);
  assert.equal(parseStatusLine('garbage'), undefined);
});
