import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, isSecretName, redact } from '../src/admin/redact.js';

test('secret names are recognized in any case and with dashes', () => {
  for (const name of ['private_key', 'PRIVATE-KEY', 'secret', 'token', 'password', 'admin_token', 'client_secret', 'db_password', 'Authorization', 'ticket']) assert.ok(isSecretName(name), name);
  for (const name of ['secret_file', 'secret_encoding', 'public_key', 'cert_chain', 'key', 'name', 'address']) assert.ok(!isSecretName(name), name);
});

test('redact copies and never changes its input', () => {
  const input = { tls: { private_key: 'x' }, list: [{ password: 'p' }] };
  const output = redact(input);
  assert.deepEqual(output, { tls: { private_key: REDACTED }, list: [{ password: REDACTED }] });
  assert.equal(input.tls.private_key, 'x');
});
