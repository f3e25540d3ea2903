#!/usr/bin/env node
// `npm test`: every package's tests through turbo (build first, one package at a time, so the
// end-to-end tests do not compete for the 2 cores), then one closing line for the whole run.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

// Services some tests start themselves (redis-server): installed here when missing.
spawnSync('bash', [new URL('./ensure-services.sh', import.meta.url).pathname], { stdio: 'inherit' });

const child = spawn('npx', ['turbo', 'run', 'test', '--concurrency=1', '--log-prefix=none', ...process.argv.slice(2)], {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});

let passed = 0;
let failed = 0;
// node:test's closing lines: "# pass 12" (TAP) or "ℹ pass 12" (spec).
const summary = /^(?:#|ℹ) (pass|fail) (\d+)\s*$/;
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const m = summary.exec(line);
  if (m?.[1] === 'pass') passed += Number(m[2]);
  if (m?.[1] === 'fail') failed += Number(m[2]);
});

child.on('close', (code) => {
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = code === 0 && failed === 0 ? 0 : 1;
});
