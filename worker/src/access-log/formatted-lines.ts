/**
 * The lines of the batch being filled, formatted as their rows come in (a few hundred at a time),
 * one reused buffer per file.
 *
 * Formatting a whole batch when it leaves stalls the worker for as long as it takes (~3 ms for
 * 4000 lines), and every request in flight waits that long; rows kept for a whole batch also
 * outlive more young-generation collections. Formatted a chunk at a time, the loop stays hot,
 * each stall is short, and rows die young.
 */
import type { AccessLogRow } from '@mosn/ipc-protocol';
import { LineBuffer } from './line-buffer.js';
import type { LineWriter } from './log-line.js';

/** One file's lines of a batch, in its reused buffer. */
export interface FormattedFile {
  readonly log: number;
  readonly records: number;
  readonly out: LineBuffer;
}

export class FormattedLines {
  /** Each file's buffer, by the index of its first target. */
  readonly #buffers: LineBuffer[] = [];
  /** Lines per file, and the files in the order their first line came. */
  #counts: number[] = [];
  #order: number[] = [];
  #records = 0;

  /**
   * @param writers the line writer of each target, by index (the batcher's list, which grows)
   * @param fileOf each target's file: the index of the first target with its path (two formats may share a file)
   * @param failed told of each row its writer throws on; that row leaves nothing behind
   */
  constructor(
    private readonly writers: readonly LineWriter[],
    private readonly fileOf: readonly number[],
    private readonly failed: (error: unknown, row: AccessLogRow) => void,
  ) {}

  /** Lines formatted and not yet taken. */
  get records(): number {
    return this.#records;
  }

  /** Bytes of those lines, every file's together. */
  get bytes(): number {
    let bytes = 0;
    for (const log of this.#order) bytes += (this.#buffers[log] as LineBuffer).length;
    return bytes;
  }

  /** Formats `rows[from, to)` after the lines already here, each in the order its request finished. */
  add(rows: readonly AccessLogRow[], from = 0, to = rows.length): void {
    const writers = this.writers;
    const buffers = this.#buffers;
    for (let i = from; i < to; i++) {
      const row = rows[i] as AccessLogRow;
      const log = this.fileOf[row[0]] as number;
      const out = (buffers[log] ??= new LineBuffer());
      const mark = out.length;
      try {
        (writers[row[0]] as LineWriter)(row, out);
        out.byte(0x0a); // a newline after every line, the last one too
      } catch (error) {
        out.truncate(mark); // nothing of a line that failed half-way is sent
        this.failed(error, row);
        continue;
      }
      const count = this.#counts[log];
      if (count === undefined) {
        this.#counts[log] = 1;
        this.#order.push(log);
      } else {
        this.#counts[log] = count + 1;
      }
      this.#records += 1;
    }
  }

  /** The files with lines, in the order of their first line: views, valid until `clear()`. */
  files(): FormattedFile[] {
    return this.#order.map((log) => ({ log, records: this.#counts[log] as number, out: this.#buffers[log] as LineBuffer }));
  }

  /** Starts the next batch, reusing the buffers. */
  clear(): void {
    for (const log of this.#order) (this.#buffers[log] as LineBuffer).clear();
    this.#counts = [];
    this.#order = [];
    this.#records = 0;
  }
}
