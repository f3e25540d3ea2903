// TLS through the real mosnctl: termination on a listener (certificate chosen by SNI, client
// certificates, versions, ALPN), TLS to upstreams (verified against a CA and a name, skipped only
// when asked), and config checks that name the file and the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type tls from 'node:tls';
import { makeCa, makeKey, makeLeaf, type KeyPair } from './helpers/certs.js';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn, tempDir, writeConfig } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const T = { timeout: 60_000 };

interface HttpsResult {
  status: number;
  body: string;
  /** CN of the certificate the proxy presented. */
  peer: string;
  alpn: string | false | null;
}

function httpsGet(port: number, o: { servername?: string; ca: string; cert?: KeyPair; maxVersion?: tls.SecureVersion; alpn?: string[] }): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        ca: readFileSync(o.ca),
        ...(o.servername === undefined ? { servername: '' } : { servername: o.servername, headers: { host: o.servername } }),
        // The proxy's certificate names a.test / b.test, not 127.0.0.1: check the name the test expects.
        checkServerIdentity: () => undefined,
        ...(o.cert === undefined ? {} : { cert: readFileSync(o.cert.cert), key: readFileSync(o.cert.key) }),
        ...(o.maxVersion === undefined ? {} : { maxVersion: o.maxVersion }),
        ...(o.alpn === undefined ? {} : { ALPNProtocols: o.alpn }),
      },
      (res) => {
        const socket = res.socket as tls.TLSSocket;
        const peer = String(socket.getPeerCertificate().subject?.CN ?? '');
        const alpn = socket.alpnProtocol;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer, alpn }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function tlsListener(tls: Json): Json {
  const l = httpListener('https', 'r') as { filter_chains: Json[] } & Json;
  return { ...l, filter_chains: [{ ...l.filter_chains[0], ...tls }] };
}

test('a listener terminates TLS, picks the certificate by SNI, negotiates http/1.1 and says https upstream', T, async (t) => {
  const dir = await tempDir(t);
  const ca = makeCa(dir);
  const a = makeLeaf(dir, ca, 'a.test', ['a.test', '*.a.test']);
  const b = makeLeaf(dir, ca, 'b.test');
  const seen: string[] = [];
  const up = await startHttpUpstream(t, (req, res) => {
    seen.push(String(req.headers['x-forwarded-proto']));
    res.end(`hello ${req.headers.host}`);
  });
  const mosn = await startMosn(t, mosnConfig({
    listeners: [
      tlsListener({
        tls_context_set: [
          { status: true, cert_chain: a.cert, private_key: a.key, alpn: 'http/1.1' },
          { status: true, cert_chain: b.cert, private_key: b.key, alpn: 'http/1.1' },
        ],
      }),
      httpListener('http', 'r'),
    ],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [up.address])],
  }), { workers: 1 });
  const port = mosn.port('https');

  const ra = await httpsGet(port, { servername: 'a.test', ca: ca.cert, alpn: ['http/1.1'] });
  assert.deepEqual([ra.status, ra.body, ra.peer, ra.alpn], [200, 'hello a.test', 'a.test', 'http/1.1']);
  const rb = await httpsGet(port, { servername: 'b.test', ca: ca.cert });
  assert.deepEqual([rb.status, rb.peer], [200, 'b.test']);
  assert.equal((await httpsGet(port, { servername: 'www.a.test', ca: ca.cert })).peer, 'a.test', 'a wildcard SAN matches');
  assert.equal((await httpsGet(port, { servername: 'other.test', ca: ca.cert })).peer, 'a.test', 'no match: the first context');
  assert.equal((await httpsGet(port, { ca: ca.cert })).peer, 'a.test', 'no SNI: the first context');
  assert.deepEqual([...new Set(seen)], ['https']);

  // The plain listener next to it is unchanged.
  const plain = await request(mosn.port('http'));
  assert.equal(plain.status, 200);
  assert.equal(seen.at(-1), 'http');
});

test('client certificates: required and verified against ca_cert', T, async (t) => {
  const dir = await tempDir(t);
  const ca = makeCa(dir);
  const otherCa = makeCa(dir, 'Other CA');
  const server = makeLeaf(dir, ca, 'proxy.test');
  const client = makeLeaf(dir, ca, 'client.test');
  const stranger = makeLeaf(dir, otherCa, 'stranger.test');
  const up = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const mosn = await startMosn(t, mosnConfig({
    listeners: [tlsListener({ tls_context: { cert_chain: server.cert, private_key: server.key, ca_cert: ca.cert, verify_client: true, require_client_cert: true } })],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [up.address])],
  }), { workers: 1 });
  const port = mosn.port('https');
  assert.equal((await httpsGet(port, { ca: ca.cert, cert: client })).status, 200);
  await assert.rejects(httpsGet(port, { ca: ca.cert }), 'no client certificate: refused');
  await assert.rejects(httpsGet(port, { ca: ca.cert, cert: stranger }), 'a certificate from another CA: refused');
});

test('min_version refuses older clients', T, async (t) => {
  const dir = await tempDir(t);
  const ca = makeCa(dir);
  const server = makeLeaf(dir, ca, 'proxy.test');
  const up = await startHttpUpstream(t, (_req, res) => res.end('ok'));
  const mosn = await startMosn(t, mosnConfig({
    listeners: [tlsListener({ tls_context: { cert_chain: server.cert, private_key: server.key, min_version: 'TLSv1_3' } })],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [up.address])],
  }), { workers: 1 });
  const port = mosn.port('https');
  assert.equal((await httpsGet(port, { ca: ca.cert })).status, 200);
  await assert.rejects(httpsGet(port, { ca: ca.cert, maxVersion: 'TLSv1.2' }));
});

test('a cluster with tls_context verifies its upstream against ca_cert and server_name; insecure_skip only when asked', T, async (t) => {
  const dir = await tempDir(t);
  const ca = makeCa(dir);
  const upstreamCert = makeLeaf(dir, ca, 'upstream.test');
  const server = https.createServer({ cert: readFileSync(upstreamCert.cert), key: readFileSync(upstreamCert.key) }, (req, res) => res.end(`secure ${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const route = (name: string): Json => ({ match: { prefix: `/${name}` }, route: { cluster_name: name } });
  const mosn = await startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: ['verified', 'no-ca', 'wrong-name', 'skip'].map(route) }] }],
    clusters: [
      cluster('verified', [address], { tls_context: { status: true, ca_cert: ca.cert, server_name: 'upstream.test' } }),
      cluster('no-ca', [address], { tls_context: { status: true, server_name: 'upstream.test' } }),
      cluster('wrong-name', [address], { tls_context: { status: true, ca_cert: ca.cert, server_name: 'other.test' } }),
      cluster('skip', [address], { tls_context: { status: true, insecure_skip: true } }),
    ],
  }), { workers: 1 });
  const port = mosn.port('http');
  const ok = await request(port, { path: '/verified' });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /^secure /);
  const noCa = await request(port, { path: '/no-ca' });
  assert.equal(noCa.status, 502);
  assert.match(noCa.body, /upstream connect error.*(UNABLE_TO_VERIFY|unable to verify|self.signed|SELF_SIGNED)/i);
  const wrongName = await request(port, { path: '/wrong-name' });
  assert.equal(wrongName.status, 502);
  assert.match(wrongName.body, /ERR_TLS_CERT_ALTNAME_INVALID|altname/i);
  assert.equal((await request(port, { path: '/skip' })).status, 200);
});

test('mosnctl check and start refuse missing or mismatched TLS files, naming the path and the reason', T, async (t) => {
  const dir = await tempDir(t);
  const ca = makeCa(dir);
  const leaf = makeLeaf(dir, ca, 'proxy.test');
  const strangerKey = makeKey(dir, 'stranger');
  const config = (tls: Json) =>
    mosnConfig({ listeners: [tlsListener({ tls_context: tls })], routers: [catchAllRouter('r', 'c')], clusters: [cluster('c', ['127.0.0.1:9'])] });

  const missing = await writeConfig(dir, config({ cert_chain: 'certs/nope.crt', private_key: leaf.key }), 'missing.json');
  for (const command of ['check', 'start']) {
    const r = await runMosnctl([command, '-c', missing]);
    assert.equal(r.code, 1, `${command}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr + r.stdout, new RegExp(`tls_context\\.cert_chain: cannot read the certificate chain file ${dir}/certs/nope\\.crt: no such file`));
  }

  const mismatched = await writeConfig(dir, config({ cert_chain: leaf.cert, private_key: strangerKey }), 'mismatch.json');
  const r = await runMosnctl(['check', '-c', mismatched]);
  assert.equal(r.code, 1);
  assert.match(r.stderr + r.stdout, /tls_context\.private_key: expected the private key of the certificate in .*proxy-test\.crt \(CN=proxy\.test\), found a key in .*stranger\.key that does not match it/);

  const notPem = await writeConfig(dir, config({ cert_chain: missing, private_key: leaf.key }), 'notpem.json');
  const r2 = await runMosnctl(['check', '-c', notPem]);
  assert.match(r2.stderr + r2.stdout, /expected PEM certificates \("-----BEGIN CERTIFICATE-----"\) in .*missing\.json, found none/);

  const h2 = await writeConfig(dir, config({ cert_chain: leaf.cert, private_key: leaf.key, alpn: 'h2,http/1.1' }), 'h2.json');
  const r3 = await runMosnctl(['check', '-c', h2]);
  assert.match(r3.stderr + r3.stdout, /ALPN protocol "h2" is a MOSN value that MOSN\.ts does not support yet/);

  const good = await writeConfig(dir, config({ cert_chain: leaf.cert, private_key: leaf.key }), 'good.json');
  assert.equal((await runMosnctl(['check', '-c', good])).code, 0);
});
