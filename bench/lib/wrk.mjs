// Runs wrk and reads its summary: requests/s, p99 latency, errors.

import { pinned, spawnManaged } from './proc.mjs';

function toMs(value, unit) {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' ? v * 1000 : unit === 'm' ? v * 60000 : v;
}

export function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p99m = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const p99 = p99m ? toMs(p99m[1], p99m[2]) : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps, p99, errors: non2xx + socketErrors };
}

/** wrk -t1 -cN -dD --latency URL, pinned to `cpu` when given. */
export async function runWrk({ url, seconds, connections = 64, threads = 1, cpu, headers = [] }) {
  const headerArgs = headers.flatMap((h) => ['-H', h]);
  const [cmd, args] = pinned(cpu, 'wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url]);
  const child = spawnManaged('wrk', cmd, args, { detached: false });
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${child.output}`);
  const result = parseWrk(child.output);
  if (!Number.isFinite(result.rps)) throw new Error(`cannot read wrk output:\n${child.output}`);
  return result;
}
