// pino children copy their parent's level when they are made and do not follow later changes;
// `host/setLogLevel` must reach every logger of the worker, so the children are tracked (weakly:
// per-connection children must not be kept alive by this).
import type { Logger } from 'pino';

const tracked = new Set<WeakRef<Logger>>();

/** Makes `logger` and every child made from it (at any depth) follow setTrackedLevel. */
export function trackLevel<L extends Logger>(logger: L): L {
  tracked.add(new WeakRef(logger));
  const child = logger.child.bind(logger) as unknown as (...args: unknown[]) => Logger;
  (logger as unknown as { child: (...args: unknown[]) => Logger }).child = (...args: unknown[]) => trackLevel(child(...args));
  return logger;
}

export function setTrackedLevel(level: string): void {
  for (const ref of tracked) {
    const logger = ref.deref();
    if (logger === undefined) tracked.delete(ref);
    else logger.level = level;
  }
}
