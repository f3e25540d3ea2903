// Finding the blank line that ends a message head. A JavaScript scan that skips ahead on bytes
// that cannot be part of CR LF CR LF measures ~6× faster here than Buffer.indexOf for
// typical heads (a native call costs more than scanning 100-200 bytes).

import { ParseError, type ParseErrorCode } from './parse-error.js';

/** Index just past the first CR LF CR LF in buf[from, to), or -1. */
export function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  let i = from + 3;
  while (i < to) {
    const c = buf[i];
    if (c === 10) {
      if (buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
      i += 2; // this LF can still be the 2nd byte of the pattern
    } else if (c === 13) {
      i += 1; // this CR can be the 3rd byte
    } else {
      i += 4; // no window containing this byte can match
    }
  }
  return -1;
}

/** The first bare LF or bare CR in buf[from, end), as a ParseError, or 0. A CR at the very end may still be followed by LF. */
export function findBareLineBreak(buf: Buffer, from: number, end: number): 0 | ParseErrorCode {
  for (let i = from; i < end; i++) {
    const c = buf[i];
    if (c === 10) {
      if (i === 0 || buf[i - 1] !== 13) return ParseError.BARE_LF;
    } else if (c === 13 && i + 1 < end && buf[i + 1] !== 10) {
      return ParseError.BARE_CR;
    }
  }
  return 0;
}
