import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IPC_ERROR_CODES, IpcError, PROTOCOL_VERSION, formatHandshake, parseHandshake } from '../src/index.js';

const PATH = '/run/mosn/plugins.a1b2c3/auth.sock';

function rejects(line: string, code: string, ...fragments: string[]): void {
  assert.throws(
    () => parseHandshake(line),
    (error: unknown) => {
      assert.ok(error instanceof IpcError, `expected an IpcError, found ${String(error)}`);
      assert.equal(error.code, code, `code for ${JSON.stringify(line)}`);
      assert.match(error.message, /expected .*, found /, 'the message says what was expected and what was found');
      for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" mentions ${fragment}`);
      return true;
    },
  );
}

test('the handshake line is core version|plugin version|unix|socket path|msgpack', () => {
  assert.equal(PROTOCOL_VERSION, 1);
  assert.equal(formatHandshake({ pluginVersion: '1.4.0', socketPath: PATH }), `1|1.4.0|unix|${PATH}|msgpack`);
});

test('a formatted handshake line parses back to its fields', () => {
  for (const pluginVersion of ['1', '1.4.0', '2.0.0-rc.1+build.7', 'v3_beta~2']) {
    assert.deepEqual(parseHandshake(formatHandshake({ pluginVersion, socketPath: PATH })), {
      protocolVersion: 1,
      pluginVersion,
      network: 'unix',
      socketPath: PATH,
      encoding: 'msgpack',
    });
  }
});

test('a handshake line may end with one newline or CRLF', () => {
  assert.equal(parseHandshake(`1|1.0.0|unix|${PATH}|msgpack\n`).socketPath, PATH);
  assert.equal(parseHandshake(`1|1.0.0|unix|${PATH}|msgpack\r\n`).socketPath, PATH);
});

test('a line with the wrong number of fields is refused, saying how many were found', () => {
  rejects('', IPC_ERROR_CODES.handshakeInvalid, 'expected 5 fields', 'found 1');
  rejects(`1|1.0.0|unix|${PATH}`, IPC_ERROR_CODES.handshakeInvalid, 'found 4');
  rejects(`1|1.0.0|unix|${PATH}|msgpack|extra`, IPC_ERROR_CODES.handshakeInvalid, 'found 6');
  rejects('{"level":30,"msg":"starting"}', IPC_ERROR_CODES.handshakeInvalid, 'found 1');
});

test('a core version that is not a decimal integer is refused', () => {
  for (const version of ['', 'one', '1.0', '-1', ' 1']) {
    rejects(`${version}|1.0.0|unix|${PATH}|msgpack`, IPC_ERROR_CODES.handshakeInvalid, 'core protocol version');
  }
});

test('another core protocol version is refused with its own code', () => {
  rejects(`2|1.0.0|unix|${PATH}|msgpack`, IPC_ERROR_CODES.protocolVersion, 'expected core protocol version 1, found 2');
  rejects(`0|1.0.0|unix|${PATH}|msgpack`, IPC_ERROR_CODES.protocolVersion, 'found 0');
});

test('an empty or malformed plugin version is refused', () => {
  for (const version of ['', '1.0 beta', 'x'.repeat(65), '1/2']) {
    rejects(`1|${version}|unix|${PATH}|msgpack`, IPC_ERROR_CODES.handshakeInvalid, 'plugin version');
  }
});

test('a network other than unix is refused', () => {
  rejects('1|1.0.0|tcp|127.0.0.1:1234|msgpack', IPC_ERROR_CODES.handshakeInvalid, 'expected network "unix", found "tcp"');
});

test('a socket path that is relative, too long or has control characters is refused', () => {
  rejects('1|1.0.0|unix|auth.sock|msgpack', IPC_ERROR_CODES.handshakeInvalid, 'absolute socket path');
  rejects(`1|1.0.0|unix|/${'d'.repeat(120)}|msgpack`, IPC_ERROR_CODES.handshakeInvalid, 'at most 107 bytes', 'found 121');
  rejects('1|1.0.0|unix|/tmp/a\tb.sock|msgpack', IPC_ERROR_CODES.handshakeInvalid, 'control characters');
});

test('an encoding other than msgpack is refused', () => {
  rejects(`1|1.0.0|unix|${PATH}|json`, IPC_ERROR_CODES.handshakeInvalid, 'expected encoding "msgpack", found "json"');
  rejects(`1|1.0.0|unix|${PATH}|`, IPC_ERROR_CODES.handshakeInvalid, 'found ""');
});

test('a line break inside the line is refused', () => {
  rejects(`1|1.0.0|unix|${PATH}|msgpack\nhello`, IPC_ERROR_CODES.handshakeInvalid, 'single line');
  rejects(`1|1.0.0|unix|${PATH}|msgpack\n\n`, IPC_ERROR_CODES.handshakeInvalid, 'single line');
});

test('the formatter refuses fields that cannot be written in a line', () => {
  const refuses = (pluginVersion: string, socketPath: string, fragment: string): void => {
    assert.throws(
      () => formatHandshake({ pluginVersion, socketPath }),
      (error: unknown) =>
        error instanceof IpcError && error.code === IPC_ERROR_CODES.handshakeInvalid && error.message.includes(fragment),
    );
  };
  refuses('1|2', PATH, 'plugin version');
  refuses('', PATH, 'plugin version');
  refuses('1.0.0', '/tmp/a|b.sock', 'without "|"');
  refuses('1.0.0', '/tmp/a\nb.sock', 'control characters');
  refuses('1.0.0', 'relative.sock', 'absolute');
});
