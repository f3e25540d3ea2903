import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CONFIG_ERROR_CODES } from '@mosn/config';
import { IPC_ERROR_CODES } from '@mosn/ipc-protocol';
import { ACCESS_LOG_ERROR_CODES } from '@mosn/plugin-logging-bypass';
import { MANAGEMENT_ERROR_CODES } from '@mosn/plugin-management';
import { RATE_LIMIT_ERROR_CODES } from '@mosn/plugin-rate-limit';
import { PLUGIN_SDK_ERROR_CODES } from '@mosn/plugin-sdk';
import { SUPERVISOR_ERROR_CODES } from '@mosn/supervisor';
import { WORKER_ERROR_CODES } from '@mosn/worker';

// fastify's habit: a code that is not in docs/errors.md fails the build, so operators can look up every one.
test('every error code of every package is documented in docs/errors.md', async () => {
  const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const codes = [
    CONFIG_ERROR_CODES,
    IPC_ERROR_CODES,
    PLUGIN_SDK_ERROR_CODES,
    SUPERVISOR_ERROR_CODES,
    WORKER_ERROR_CODES,
    RATE_LIMIT_ERROR_CODES,
    ACCESS_LOG_ERROR_CODES,
    MANAGEMENT_ERROR_CODES,
  ].flatMap((list) =>
    Object.values(list as Record<string, unknown>).filter((c): c is string => typeof c === 'string'),
  );
  assert.ok(codes.length >= 10, `expected the packages to declare their codes, found ${codes.length}`);
  const missing = codes.filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, [], 'codes missing from docs/errors.md');
});
