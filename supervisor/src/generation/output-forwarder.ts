// Forwards a child's stdout/stderr to the supervisor's log, line by line, and remembers the
// last lines so that a failed start can show the operator what the worker said.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface OutputSink {
  /** A complete line from the child's stdout or stderr. */
  line(text: string, stream: 'stdout' | 'stderr'): void;
}

/** Where the supervisor writes already-formatted lines (worker stdout is pino JSON already). */
export interface RawOutput {
  write(line: string): void;
}

export class OutputForwarder {
  readonly #recent: string[] = [];

  constructor(
    private readonly sink: OutputSink,
    private readonly keep = 50,
    /** Longer lines are cut so one runaway line cannot exhaust memory. */
    private readonly maxLineBytes = 64 * 1024,
  ) {}

  attach(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    const decoder = new StringDecoder('utf8');
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += decoder.write(chunk);
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        this.#emit(pending.slice(start, nl), name);
        start = nl + 1;
      }
      pending = pending.slice(start);
      if (pending.length > this.maxLineBytes) {
        this.#emit(pending, name);
        pending = '';
      }
    });
    stream.on('end', () => {
      pending += decoder.end();
      if (pending.length > 0) this.#emit(pending, name);
      pending = '';
    });
  }

  /** The last lines seen on either stream, oldest first. */
  recent(): string[] {
    return [...this.#recent];
  }

  #emit(text: string, stream: 'stdout' | 'stderr'): void {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.length === 0) return;
    this.#recent.push(line);
    if (this.#recent.length > this.keep) this.#recent.shift();
    this.sink.line(line, stream);
  }
}
