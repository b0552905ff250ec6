/**
 * The Dart syntax trees the engine keeps between analyses, one per recently analyzed file. An edit
 * reparses incrementally (`tree.edit` + `parser.parse(text, oldTree)`), so typing in a big file
 * reparses only around the change. Bounded: the least recently used trees are freed.
 */
import type { Parser, Point, Tree } from 'web-tree-sitter';
import { unchangedEnds } from '../text-change';

/** Limits on what the cache holds (wasm memory grows with the parsed text). */
export const DART_TREE_LIMITS = { maxFiles: 16, maxChars: 8 * 1024 * 1024 };

interface Entry {
  text: string;
  tree: Tree;
}

/** Per-file tree cache with incremental reparsing. */
export class DartTrees {
  private readonly entries = new Map<string, Entry>();
  private readonly live = new WeakSet<Tree>();

  constructor(private readonly parser: Parser) {}

  /** The tree of `text` for `file`: the kept one when the text is unchanged, else a (re)parse. */
  treeFor(file: string, text: string): Tree | null {
    const old = this.entries.get(file);
    this.entries.delete(file);
    if (old && old.text === text) {
      this.entries.set(file, old);
      return old.tree;
    }
    let tree: Tree | null;
    if (old) {
      old.tree.edit(editBetween(old.text, text));
      tree = this.parser.parse(text, old.tree);
      this.free(old.tree);
    } else {
      tree = this.parser.parse(text);
    }
    if (!tree) return null;
    this.live.add(tree);
    this.entries.set(file, { text, tree });
    this.evict();
    return tree;
  }

  /** The kept tree of `file` when it was parsed from exactly `text`, else null (nothing is parsed). */
  peek(file: string, text: string): Tree | null {
    const e = this.entries.get(file);
    return e && e.text === text ? e.tree : null;
  }

  /** False once a tree was replaced or evicted: its nodes must not be read any more. */
  isLive(tree: Tree): boolean {
    return this.live.has(tree);
  }

  /** Frees a file's tree (file removed). */
  forget(file: string): void {
    const old = this.entries.get(file);
    if (!old) return;
    this.entries.delete(file);
    this.free(old.tree);
  }

  /** Frees every tree. */
  dispose(): void {
    for (const e of this.entries.values()) this.free(e.tree);
    this.entries.clear();
  }

  private free(tree: Tree): void {
    this.live.delete(tree);
    tree.delete();
  }

  private evict(): void {
    let chars = 0;
    for (const e of this.entries.values()) chars += e.text.length;
    // Map order is least recently used first; the newest entry always stays.
    for (const [file, e] of this.entries) {
      if (
        this.entries.size <= 1 ||
        (this.entries.size <= DART_TREE_LIMITS.maxFiles && chars <= DART_TREE_LIMITS.maxChars)
      )
        break;
      this.entries.delete(file);
      chars -= e.text.length;
      this.free(e.tree);
    }
  }
}

/** The single replaced range between two texts (common prefix and suffix kept), as a tree-sitter edit. */
export function editBetween(
  before: string,
  after: string,
): {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
} {
  const { start, tail } = unchangedEnds(before, after);
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  };
}

/** Row and column (UTF-16 units, like web-tree-sitter's indexes) of an offset. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
