/**
 * A list of things to dispose together: one for the extension, one per connection. Anything added
 * after the list was disposed is disposed at once, so a late registration can never leak.
 */
import type * as vscode from 'vscode';

/** Something with a `dispose()`; matches vscode.Disposable and our own handles. */
export interface DisposableLike {
  dispose(): unknown;
}

/** Disposes its items in reverse order, each on its own so one failure can't stop the rest. */
export class DisposableList implements vscode.Disposable {
  private items: DisposableLike[] = [];
  private disposed = false;

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Whether `dispose()` has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds an item (or disposes it right away if the list is already gone) and returns it. */
  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) this.disposeOne(item);
    else this.items.push(item);
    return item;
  }

  /** Adds a plain callback as a disposable. */
  onDispose(callback: () => unknown): void {
    this.add({ dispose: callback });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) this.disposeOne(item);
  }

  private disposeOne(item: DisposableLike): void {
    try {
      const result = item.dispose();
      if (result instanceof Promise) result.catch(this.onError);
    } catch (err) {
      this.onError(err);
    }
  }
}
