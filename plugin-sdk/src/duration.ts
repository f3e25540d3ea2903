/**
 * Durations in plugin config are written the way the rest of the proxy config writes them (Go /
 * MOSN syntax: "250ms", "30s", "1m30s"), so a plugin's config reads like its neighbours.
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Milliseconds in a duration string, or undefined when it is not one. "0" is allowed, as in Go. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit as string] as number);
  return ms;
}

/** A zod schema for a duration string such as "30s"; its output is milliseconds. */
export function duration(): z.ZodPipe<z.ZodString, z.ZodTransform<number, string>> {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "250ms", "30s" or "1m30s", found ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ms;
  });
}
