/** Work on one key runs one call at a time, in order (operations on one payment). */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.tails.set(key, next);
    return next.finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }
}
