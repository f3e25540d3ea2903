// X-Request-Id for requests that arrive without one. UUID-shaped (what Envoy sends and log
// tools expect) and unique without drawing entropy per request: a random prefix drawn once per
// worker, then a counter in the last group.

import { randomBytes, randomInt } from 'node:crypto';

export class RequestIdGenerator {
  private readonly prefix: string;
  private counter: number;

  constructor() {
    const r = randomBytes(10).toString('hex');
    const variant = '89ab'[parseInt(r.charAt(15), 16) & 3] as string;
    this.prefix = r.slice(0, 8) + '-' + r.slice(8, 12) + '-4' + r.slice(12, 15) + '-' + variant + r.slice(16, 19) + '-';
    this.counter = randomInt(2 ** 40);
  }

  next(): string {
    return this.prefix + (this.counter++).toString(16).padStart(12, '0');
  }
}
