/**
 * Runs async tasks one after the other, in the order they were queued. Queuing is synchronous,
 * so a caller that queues before its first `await` keeps the order its events arrived in.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #length = 0;

  /** Queues `task`; resolves or rejects with it. A failed task does not stop the queue. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#length++;
    const result = this.#tail.then(task).finally(() => {
      this.#length--;
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks queued or running. */
  get length(): number {
    return this.#length;
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
