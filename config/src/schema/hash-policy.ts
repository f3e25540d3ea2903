// A route's `hash_policy` (MOSN's route action field): how the request's hash key is derived for a
// hashing load balancer (LB_MAGLEV). A list, tried in order; each entry names exactly one source.

import { z } from 'zod';
import type { HashPolicyConfig } from '../types.js';
import { isRecord, mosnObject, nonEmptyString } from './common.js';

const SOURCES = ['header', 'cookie', 'source_ip'] as const;

const headerHash = mosnObject('headerHashPolicy', { key: nonEmptyString });
const cookieHash = mosnObject('cookieHashPolicy', { name: nonEmptyString });
const sourceIpHash = mosnObject('sourceIpHashPolicy', {});

const entry = mosnObject('hashPolicy', {
  header: headerHash.optional(),
  cookie: cookieHash.optional(),
  source_ip: sourceIpHash.optional(),
})
  .superRefine(
    (h, ctx) => {
      const set = SOURCES.filter((k) => h[k] !== undefined);
      if (set.length === 0) ctx.addIssue({ code: 'custom', message: 'expected one of "header", "cookie" or "source_ip", found none' });
      if (set.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: [set[1] ?? 'header'],
          message: `expected only one of "header", "cookie" or "source_ip", found ${set.map((k) => `"${k}"`).join(' and ')}`,
        });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((h): HashPolicyConfig => {
    if (h.header !== undefined) return { header: { key: h.header.key.toLowerCase() } };
    if (h.cookie !== undefined) return { cookie: { name: h.cookie.name } };
    return { source_ip: {} };
  });

/** The route action's `hash_policy`: undefined when absent or empty. */
export const hashPolicy = z
  .array(entry)
  .transform((list) => (list.length === 0 ? undefined : list));
