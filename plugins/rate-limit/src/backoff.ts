/**
 * Delay before reconnection attempt `attempt` (1, 2, …): exponential from `minMs`, capped at
 * `maxMs`, with jitter (a random point in the upper half) so that many proxies that lost the same
 * Redis do not reconnect in lockstep.
 */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, minMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
