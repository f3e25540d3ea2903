// pino children copy their parent's level when they are made and do not follow later changes;
// `host/setLogLevel` must reach every logger of the worker, so every child is tracked (weakly:
// per-connection children must not be kept alive by this) through pino's own onChild hook, which
// children inherit, so grandchildren are tracked too and keep all their bindings.
import type { Logger } from 'pino';

const tracked = new Set<WeakRef<Logger>>();

/** Options for the root logger: every child made from it, at any depth, is tracked. */
export const levelTracking = Object.freeze({
  onChild: (child: Logger): void => {
    tracked.add(new WeakRef(child));
  },
});

/** Makes `logger` (a root made with levelTracking) follow setTrackedLevel. */
export function trackLevel<L extends Logger>(logger: L): L {
  tracked.add(new WeakRef(logger));
  return logger;
}

export function setTrackedLevel(level: string): void {
  for (const ref of tracked) {
    const logger = ref.deref();
    if (logger === undefined) tracked.delete(ref);
    else logger.level = level;
  }
}
