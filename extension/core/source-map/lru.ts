/** A small bounded LRU map; `onEvict` lets owners free resources (e.g. wasm consumers). */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly capacity: number,
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Reads and marks as most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Inserts, evicting the least recently used entry when over capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      const old = this.map.get(oldest.value) as V;
      this.map.delete(oldest.value);
      this.onEvict(oldest.value, old);
    }
  }

  /** A copy of the entries, oldest first, without marking any as used. */
  entries(): [K, V][] {
    return [...this.map];
  }

  /** Removes one entry (calling `onEvict` for it). */
  delete(key: K): void {
    if (!this.map.has(key)) return;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.onEvict(key, value);
  }

  /** Evicts everything (calling `onEvict` for each). */
  clear(): void {
    for (const [k, v] of this.map) this.onEvict(k, v);
    this.map.clear();
  }
}
