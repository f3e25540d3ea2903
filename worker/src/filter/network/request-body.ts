// Where a request body ends: a byte count for Content-Length, the chunked state machine for
// Transfer-Encoding: chunked. Bytes are only measured and validated, never copied: the
// connection forwards exactly the validated range.

import { ChunkedDecoder } from '../../codec/http1/chunked-decoder.js';
import { ParseError, type ParseErrorCode } from '../../codec/http1/parse-error.js';
import { BodyKind, type RequestHead } from '../../codec/http1/request-parser.js';

export class RequestBodyFramer {
  /** The body has been seen to its end. */
  complete = false;
  /** Why scan() returned -1. */
  error: ParseErrorCode = ParseError.BAD_CHUNK_SIZE;
  private chunked = false;
  private remaining = 0;
  private readonly decoder: ChunkedDecoder;

  constructor(maxChunkMetaBytes: number) {
    this.decoder = new ChunkedDecoder(maxChunkMetaBytes);
  }

  /** Prepares for the body of `req` (which has one). */
  start(req: RequestHead): void {
    this.complete = false;
    this.chunked = req.bodyKind === BodyKind.CHUNKED;
    if (this.chunked) this.decoder.reset();
    else this.remaining = req.contentLength;
  }

  /** Body bytes in buf[start, end): returns where the body ends in it (the rest is the next request), or -1. */
  scan(buf: Buffer, start: number, end: number): number {
    if (!this.chunked) {
      const stop = start + Math.min(this.remaining, end - start);
      this.remaining -= stop - start;
      this.complete = this.remaining === 0;
      return stop;
    }
    const stop = this.decoder.execute(buf, start, end);
    if (stop < 0) {
      this.error = this.decoder.error || ParseError.BAD_CHUNK_SIZE;
      return -1;
    }
    this.complete = this.decoder.done;
    return stop;
  }
}
