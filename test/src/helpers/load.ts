// A small load generator for end-to-end tests: closed-loop clients, some on keep-alive
// connections and some opening a new connection per request, counting every outcome.
import http from 'node:http';

export interface LoadOptions {
  port: number;
  path?: string;
  keepAliveClients?: number;
  newConnectionClients?: number;
  headers?: http.OutgoingHttpHeaders;
}

export interface LoadReport {
  requests: number;
  ok: number;
  /** Status code → count, for every response that was not 2xx. */
  non2xx: Record<string, number>;
  /** Error code (ECONNRESET, socket hang up, …) → count. */
  errors: Record<string, number>;
}

export interface RunningLoad {
  /** Responses so far (any status). */
  readonly completed: number;
  stop(): Promise<LoadReport>;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const report: LoadReport = { requests: 0, ok: 0, non2xx: {}, errors: {} };
  let running = true;
  const once = (agent: http.Agent | false): Promise<void> =>
    new Promise((resolve) => {
      report.requests += 1;
      const req = http.request(
        { host: '127.0.0.1', port: options.port, path: options.path ?? '/', agent, headers: options.headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) report.ok += 1;
            else report.non2xx[status] = (report.non2xx[status] ?? 0) + 1;
            resolve();
          });
          res.on('error', (err: NodeJS.ErrnoException) => count(err, resolve));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => count(err, resolve));
      req.end();
    });
  const count = (err: NodeJS.ErrnoException, done: () => void): void => {
    const key = err.code ?? err.message;
    report.errors[key] = (report.errors[key] ?? 0) + 1;
    done();
  };
  const agents: http.Agent[] = [];
  const loop = async (agent: http.Agent | false): Promise<void> => {
    while (running) await once(agent);
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < (options.keepAliveClients ?? 8); i++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    loops.push(loop(agent));
  }
  for (let i = 0; i < (options.newConnectionClients ?? 2); i++) loops.push(loop(false));
  return {
    get completed() {
      return report.ok + Object.values(report.non2xx).reduce((a, b) => a + b, 0);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return report;
    },
  };
}
