// Unconsumed downstream bytes: a partial request head, or pipelined requests waiting for the
// current response. The common case (a whole request in one read) adopts the chunk without a
// copy; a head arriving in pieces grows a private buffer geometrically, so a client sending one
// byte at a time costs linear, not quadratic, copying.

const EMPTY = Buffer.alloc(0);

export class InputBuffer {
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** Bytes from `start` already searched for the end of a head (so each byte is scanned once). */
  scanned = 0;
  private owned = false;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    const len = this.end - this.start;
    if (len === 0) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    // Bytes before `start` may still be referenced by a pending write: never reuse them, copy forward.
    const next = Buffer.allocUnsafe(Math.max(4096, (len + chunk.length) * 2));
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, len);
    this.buf = next;
    this.start = 0;
    this.end = len + chunk.length;
    this.owned = true;
  }

  consume(n: number): void {
    this.start += n;
    this.scanned = 0;
    if (this.start >= this.end) this.clear();
  }

  clear(): void {
    this.buf = EMPTY;
    this.start = 0;
    this.end = 0;
    this.scanned = 0;
    this.owned = false;
  }
}
