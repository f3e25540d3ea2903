/**
 * Reusable blocks for large outgoing frames (an access log batch is ~600 KB).
 *
 * msgpackr packs into one shared buffer and, when a message does not fit, allocates a new one of
 * four times the message: 2.4 MB for each batch, freed by the garbage collector some time after
 * its socket write. Several of those a second kept V8's external memory growing, and the worker
 * ran a full mark-compact every ~2 s for it (none without logging), besides faulting in fresh
 * pages for every batch. A frame whose size is known to be large is packed into one of these
 * blocks instead, and the block is taken again once the socket has written it.
 */

/** No block is smaller: one for a message just over the threshold then serves larger ones too. */
const MIN_BLOCK_BYTES = 256 * 1024;
/** Room for what a message carries besides its large payload (names, counts, paths). */
const ENVELOPE_SLACK_BYTES = 64 * 1024;
/** Blocks kept for reuse; more are in flight only while the peer is slow to read. */
const MAX_FREE_BLOCKS = 2;
/** A block grown past this for one unusually large message is let go after it. */
const MAX_KEPT_BLOCK_BYTES = 8 * 1024 * 1024;

export class SendBlocks {
  readonly #free: Buffer[] = [];

  /** A block for a message of about `expectedBytes`, to be given back with `release` once written. */
  take(expectedBytes: number): Buffer {
    const needed = expectedBytes + ENVELOPE_SLACK_BYTES;
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const block = free[i] as Buffer;
      if (block.length >= needed) {
        free.splice(i, 1);
        return block;
      }
    }
    // Rounded up to 64 KiB, with a quarter more, so that a block serves the batches that follow.
    const size = Math.max(MIN_BLOCK_BYTES, Math.ceil((needed * 1.25) / 65536) * 65536);
    return Buffer.allocUnsafeSlow(size);
  }

  /** The socket has written what was packed into `block`: it may be packed into again. */
  release(block: Buffer): void {
    if (block.length > MAX_KEPT_BLOCK_BYTES) return;
    const free = this.#free;
    if (free.length < MAX_FREE_BLOCKS) {
      free.push(block);
      return;
    }
    // Keep the larger ones: a small block no longer serves the batches being sent.
    let smallest = 0;
    for (let i = 1; i < free.length; i++) if ((free[i] as Buffer).length < (free[smallest] as Buffer).length) smallest = i;
    if ((free[smallest] as Buffer).length < block.length) free[smallest] = block;
  }

  /** Blocks waiting to be reused (for tests). */
  get freeCount(): number {
    return this.#free.length;
  }
}
