/**
 * The bytes of one file's lines in a batch, written value by value. The worker formats every access
 * log line it sends; building them as JavaScript strings costs a rope per line (a string per part)
 * and a `join` that flattens them all again. Here each value's characters go straight into one
 * growing Buffer, with escaping decided in the same pass; the batch goes as those bytes (or as
 * their text, decoded once).
 *
 * Values are ASCII nearly always; any value with a character past 0x7e takes the general path
 * (escaped as strings are, then UTF-8), so the text is exactly what the string form would be.
 */
import { MISSING, textValue } from './log-values.js';

const INITIAL_BYTES = 16 * 1024;
/**
 * A buffer grown past this by one batch of long lines is let go once its text is taken. A batch
 * leaves at 4 MiB of lines (the batcher's maxBatchBytes) plus at most one chunk of rows, so a
 * buffer that grew for an ordinary full batch is kept.
 */
const KEEP_BYTES = 8 * 1024 * 1024;
const DASH = 0x2d;
const ZERO = 0x30;

export class LineBuffer {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  #pos = 0;

  /** Bytes written since the last clear(): a mark to truncate() back to. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was written after `mark` (a line that failed half-way). */
  truncate(mark: number): void {
    this.#pos = mark;
  }

  byte(code: number): void {
    if (this.#pos === this.#buf.length) this.#grow(1);
    this.#buf[this.#pos++] = code;
  }

  /** A value the proxy made or checked (a method, an address, a literal): as is, `-` when empty. */
  plain(value: string): void {
    const n = value.length;
    if (n === 0) return this.byte(DASH);
    if (this.#pos + n > this.#buf.length) this.#grow(n);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7e) return this.utf8(value); // #pos was not moved: the whole value goes the general way
      buf[pos++] = c;
    }
    this.#pos = pos;
  }

  /** A value from the client (path, request id, header): `"`, `\` and control characters as `\xHH`; `-` when empty or absent. */
  escaped(value: string | undefined): void {
    if (typeof value !== 'string' || value.length === 0) return this.byte(DASH);
    const n = value.length;
    if (this.#pos + n > this.#buf.length) this.#grow(n);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.utf8(textValue(value));
      buf[pos++] = c;
    }
    this.#pos = pos;
  }

  /** A whole number ≥ 0 in decimal, as String() prints it below 1e21. */
  digits(value: number): void {
    if (value >= 1e15) return this.plain(String(value)); // past exact integer division; never a byte count in practice
    let width = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) width++;
    if (this.#pos + width > this.#buf.length) this.#grow(width);
    const buf = this.#buf;
    let pos = (this.#pos += width);
    let rest = value;
    do {
      const next = Math.floor(rest / 10);
      buf[--pos] = ZERO + (rest - next * 10);
      rest = next;
    } while (rest > 0);
  }

  /** A count: decimal when it is a number ≥ 0 (truncated), else `-`. */
  count(value: number): void {
    if (Number.isFinite(value) && value >= 0) this.digits(Math.trunc(value));
    else this.plain(MISSING);
  }

  /** Exactly three digits (the milliseconds of a time). */
  threeDigits(value: number): void {
    if (this.#pos + 3 > this.#buf.length) this.#grow(3);
    const buf = this.#buf;
    const hundreds = Math.floor(value / 100);
    const tens = Math.floor(value / 10) - hundreds * 10;
    buf[this.#pos] = ZERO + hundreds;
    buf[this.#pos + 1] = ZERO + tens;
    buf[this.#pos + 2] = ZERO + (value - hundreds * 100 - tens * 10);
    this.#pos += 3;
  }

  /** Any text as UTF-8 (a JSON line, a value with non-ASCII characters). */
  utf8(text: string): void {
    const most = text.length * 3;
    if (this.#pos + most > this.#buf.length) this.#grow(most);
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
  }

  /** The text written so far. */
  take(): string {
    return this.#buf.toString('utf8', 0, this.#pos);
  }

  /** The bytes written so far: a view, valid until the next clear() (the batch is encoded before that). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Starts empty again, reusing the buffer (unless one batch of long lines grew it too far). */
  clear(): void {
    this.#pos = 0;
    if (this.#buf.length > KEEP_BYTES) this.#buf = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  #grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + needed));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }
}
