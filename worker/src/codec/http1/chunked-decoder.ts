// Validating scanner for a chunked body (RFC 9112 §7.1). It does not copy or decode: the proxy
// forwards the bytes it has validated unchanged, and this state machine only tracks where chunks
// and the message end, byte-exact across any split of the input. Anything outside the grammar
// (non-hex or oversized sizes, whitespace in the size, bare CR/LF, CTLs in extensions, malformed
// trailers) is an error before the offending byte is forwarded.
//
//   SIZE ──hex──► SIZE ──;──► EXT ──CR──► SIZE_LF ──LF──┬─ size>0 ─► DATA ──n bytes──► DATA_CR ─► DATA_LF ─► SIZE
//                 └────────────────CR─────────┘          └─ size=0 ─► TRAILER ─CR─► END_LF ─LF─► DONE
//                                                                     └─ field ─► TRAILER_FIELD ─CRLF─► TRAILER

import { FIELD_VALUE, HEX, TOKEN } from './char-classes.js';
import { ParseError, type ParseErrorCode } from './parse-error.js';

const S_SIZE_FIRST = 0;
const S_SIZE = 1;
const S_EXT = 2;
const S_SIZE_LF = 3;
const S_DATA = 4;
const S_DATA_CR = 5;
const S_DATA_LF = 6;
const S_TRAILER = 7;
const S_TRAILER_NAME = 8;
const S_TRAILER_VALUE = 9;
const S_TRAILER_LF = 10;
const S_END_LF = 11;
const S_DONE = 12;

/** Chunk sizes above this are refused: nobody sends a 256 TiB chunk, and it keeps the arithmetic exact. */
const MAX_CHUNK_SIZE = 2 ** 48;

export class ChunkedDecoder {
  private state = S_SIZE_FIRST;
  private remaining = 0;
  private metaBytes = 0;
  /** Set when execute() returns -1. */
  error: ParseErrorCode | 0 = 0;

  constructor(private readonly maxMetaBytes: number) {}

  reset(): void {
    this.state = S_SIZE_FIRST;
    this.remaining = 0;
    this.metaBytes = 0;
    this.error = 0;
  }

  get done(): boolean {
    return this.state === S_DONE;
  }

  /**
   * Scans buf[start, end). Returns the index where the message ended (≤ end; bytes after it
   * belong to the next message), `end` when more input is needed, or -1 on a grammar error.
   */
  execute(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let state = this.state;
    while (i < end) {
      if (state === S_DATA) {
        const n = Math.min(this.remaining, end - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) state = S_DATA_CR;
        continue;
      }
      const c = buf[i] as number;
      switch (state) {
        case S_SIZE_FIRST:
        case S_SIZE: {
          const h = HEX[c] as number;
          if (h !== 255) {
            this.remaining = this.remaining * 16 + h;
            if (this.remaining > MAX_CHUNK_SIZE) return this.fail(ParseError.BAD_CHUNK_SIZE);
            state = S_SIZE;
          } else if (state === S_SIZE && c === 59 /* ; */) {
            state = S_EXT;
          } else if (state === S_SIZE && c === 13) {
            state = S_SIZE_LF;
          } else {
            return this.fail(ParseError.BAD_CHUNK_SIZE);
          }
          break;
        }
        case S_EXT:
          // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): forwarded unchanged, so
          // we only refuse what could end the line early (CTLs, bare LF) and bound the length.
          if (c === 13) state = S_SIZE_LF;
          else if (!(c === 9 || (c >= 32 && c !== 127)))
            return this.fail(ParseError.BAD_CHUNK_EXTENSION);
          else if (++this.metaBytes > this.maxMetaBytes) return this.fail(ParseError.CHUNK_META_TOO_LARGE);
          break;
        case S_SIZE_LF:
          if (c !== 10) return this.fail(ParseError.BAD_CHUNK_SIZE);
          state = this.remaining === 0 ? S_TRAILER : S_DATA;
          break;
        case S_DATA_CR:
          if (c !== 13) return this.fail(ParseError.BAD_CHUNK_DATA_END);
          state = S_DATA_LF;
          break;
        case S_DATA_LF:
          if (c !== 10) return this.fail(ParseError.BAD_CHUNK_DATA_END);
          state = S_SIZE_FIRST;
          break;
        case S_TRAILER:
          if (c === 13) state = S_END_LF;
          else if (TOKEN[c] === 1) state = S_TRAILER_NAME;
          else return this.fail(ParseError.BAD_TRAILER);
          if (++this.metaBytes > this.maxMetaBytes) return this.fail(ParseError.CHUNK_META_TOO_LARGE);
          break;
        case S_TRAILER_NAME:
          if (c === 58) state = S_TRAILER_VALUE;
          else if (TOKEN[c] !== 1) return this.fail(ParseError.BAD_TRAILER);
          if (++this.metaBytes > this.maxMetaBytes) return this.fail(ParseError.CHUNK_META_TOO_LARGE);
          break;
        case S_TRAILER_VALUE:
          if (c === 13) state = S_TRAILER_LF;
          else if (FIELD_VALUE[c] !== 1) return this.fail(ParseError.BAD_TRAILER);
          if (++this.metaBytes > this.maxMetaBytes) return this.fail(ParseError.CHUNK_META_TOO_LARGE);
          break;
        case S_TRAILER_LF:
          if (c !== 10) return this.fail(ParseError.BAD_TRAILER);
          state = S_TRAILER;
          break;
        case S_END_LF:
          if (c !== 10) return this.fail(ParseError.BAD_TRAILER);
          this.state = S_DONE;
          return i + 1;
        default: // S_DONE: the caller must not feed a finished decoder
          return this.fail(ParseError.BAD_CHUNK_SIZE);
      }
      i++;
    }
    this.state = state;
    return end;
  }

  private fail(code: ParseErrorCode): -1 {
    this.error = code;
    this.state = S_DONE;
    return -1;
  }
}
