/**
 * Exchanges noted as they end, turned into access log rows a chunk at a time.
 *
 * Work done once per request, in the middle of the proxy's own, costs more than its own samples
 * show: it pushes the proxy's code and data out of the caches. (One worker, a logged and a plain
 * listener, bench/http/same-worker.mjs: formatting each row as its request ended read 0.84 of the
 * plain listener's requests/s, against 0.88–0.89 formatting 64 to 1024 at a time; building rows
 * here instead of per request saved 0.5 ± 0.26 µs a request.) So the end of an exchange only stores
 * its values in columns, and the rows are built (then formatted) in one hot loop.
 *
 * What is stored are values the request cannot change afterwards: numbers, and strings the
 * recorder already made its own (clipped), so a head is never kept alive here.
 */
import type { AccessLogRow } from '@mosn/ipc-protocol';
import type { ExchangeView } from './access-log-recorder.js';

/** One listener's logs, as the captured exchanges of that listener become rows. */
export interface RowPlan {
  readonly target: number;
  /** Request header names this log prints (lower case); empty when none. */
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
}

/** Where a captured exchange came from: its listener's logs. */
export interface CaptureSource {
  readonly plans: readonly RowPlan[];
  /** The header names any of the plans prints (their union), as the captured pairs hold them. */
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
}

const T0 = 0;
const REQUEST_DONE = 1;
const RESPONSE_HEAD = 2;
const END = 3;
const BYTES_READ = 4;
const BYTES_WRITTEN = 5;
const MINOR = 6;
const STATUS = 7;
const NUMBERS = 8;

export class ExchangeCapture {
  /** Numbers, NUMBERS per exchange. */
  readonly #numbers: Float64Array;
  // One column per value; a slot is `undefined`/null once drained, so no chunk's strings stay alive.
  readonly #sources: (CaptureSource | undefined)[];
  readonly #flags: (string | undefined)[];
  readonly #methods: (string | undefined)[];
  readonly #paths: (string | undefined)[];
  readonly #requestIds: (string | undefined)[];
  readonly #upstreams: (string | undefined)[];
  readonly #locals: (string | undefined)[];
  readonly #remotes: (string | undefined)[];
  readonly #requestPairs: (readonly string[] | null)[];
  readonly #responsePairs: (readonly string[] | null)[];
  #size = 0;

  constructor(readonly capacity: number) {
    this.#numbers = new Float64Array(capacity * NUMBERS);
    const strings = (): (string | undefined)[] => new Array<string | undefined>(capacity).fill(undefined);
    this.#sources = new Array<CaptureSource | undefined>(capacity).fill(undefined);
    this.#flags = strings();
    this.#methods = strings();
    this.#paths = strings();
    this.#requestIds = strings();
    this.#upstreams = strings();
    this.#locals = strings();
    this.#remotes = strings();
    this.#requestPairs = new Array<readonly string[] | null>(capacity).fill(null);
    this.#responsePairs = new Array<readonly string[] | null>(capacity).fill(null);
  }

  /** Exchanges captured and not yet drained. */
  get size(): number {
    return this.#size;
  }

  /**
   * Stores the exchange `x` ended at `end` (performance.now()); `path` and `requestId` are the
   * recorder's own copies, the pairs those of the source's header names present (null when it
   * prints none). True when the capture is now full.
   */
  add(source: CaptureSource, x: ExchangeView, end: number, path: string, requestId: string, requestPairs: readonly string[] | null, responsePairs: readonly string[] | null): boolean {
    const i = this.#size++;
    const notes = x.notes;
    const n = this.#numbers;
    const at = i * NUMBERS;
    n[at + T0] = notes.t0;
    n[at + REQUEST_DONE] = notes.requestDoneAt;
    n[at + RESPONSE_HEAD] = notes.responseHeadAt;
    n[at + END] = end;
    n[at + BYTES_READ] = x.bytesRead - notes.bytesReadAtStart;
    n[at + BYTES_WRITTEN] = x.bytesWritten - notes.bytesWrittenAtStart;
    n[at + MINOR] = x.minor;
    n[at + STATUS] = x.status;
    this.#sources[i] = source;
    this.#flags[i] = notes.responseFlag;
    this.#methods[i] = x.method;
    this.#paths[i] = path;
    this.#requestIds[i] = requestId;
    this.#upstreams[i] = notes.upstreamHost;
    this.#locals[i] = x.downstreamLocal;
    this.#remotes[i] = x.downstreamRemote;
    this.#requestPairs[i] = requestPairs;
    this.#responsePairs[i] = responsePairs;
    return this.#size === this.capacity;
  }

  /**
   * Every captured exchange as its rows (one per log of its listener), in the order they were
   * captured; then empty. `wallOffset` turns performance.now() into epoch milliseconds (read once
   * per drain: the start times of one chunk are a few milliseconds apart at most).
   */
  drain(push: (row: AccessLogRow) => void, wallOffset: number): void {
    const count = this.#size;
    // Emptied first: a push that throws must not leave exchanges to be rowed twice.
    this.#size = 0;
    const n = this.#numbers;
    for (let i = 0; i < count; i++) {
      const source = this.#sources[i] as CaptureSource;
      const at = i * NUMBERS;
      const t0 = n[at + T0] as number;
      const requestDone = n[at + REQUEST_DONE] as number;
      const responseHead = n[at + RESPONSE_HEAD] as number;
      const reqPairs = this.#requestPairs[i] ?? null;
      const resPairs = this.#responsePairs[i] ?? null;
      for (const plan of source.plans) {
        // ipc-protocol's `log-rows/1` layout.
        push([
          plan.target,
          t0 + wallOffset,
          requestDone < 0 ? -1 : requestDone - t0,
          responseHead < 0 ? -1 : responseHead - t0,
          (n[at + END] as number) - t0,
          n[at + BYTES_READ] as number,
          n[at + BYTES_WRITTEN] as number,
          n[at + MINOR] === 0 ? 'HTTP/1.0' : 'HTTP/1.1',
          n[at + STATUS] as number,
          this.#flags[i] as string,
          this.#methods[i] as string,
          this.#paths[i] as string,
          this.#requestIds[i] as string,
          this.#upstreams[i] as string,
          '',
          this.#locals[i] as string,
          this.#remotes[i] as string,
          plan.requestHeaders.length === 0 ? null : pairsOf(plan.requestHeaders, source.requestHeaders, reqPairs),
          plan.responseHeaders.length === 0 ? null : pairsOf(plan.responseHeaders, source.responseHeaders, resPairs),
        ]);
      }
    }
    // Let go of what the rows now hold.
    for (const column of [this.#sources, this.#flags, this.#methods, this.#paths, this.#requestIds, this.#upstreams, this.#locals, this.#remotes]) column.fill(undefined, 0, count);
    this.#requestPairs.fill(null, 0, count);
    this.#responsePairs.fill(null, 0, count);
  }
}

/** A log's own header pairs out of the pairs captured for every log of its listener. */
function pairsOf(names: readonly string[], captured: readonly string[], pairs: readonly string[] | null): string[] {
  if (pairs === null) return [];
  if (names === captured || names.length === captured.length) return pairs as string[];
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) if (names.includes(pairs[i] as string)) out.push(pairs[i] as string, pairs[i + 1] as string);
  return out;
}
