/**
 * Loads web-tree-sitter and the Dart grammar once per process. The wasm files sit next to the
 * bundle at run time (`dist/tree-sitter.wasm`, `dist/tree-sitter-dart.wasm`, copied by esbuild.mjs);
 * tests running under tsx pass the node_modules paths instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// `import = require` so esbuild picks the package's CommonJS build (its ESM build needs import.meta.url).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see the line above: the CJS build is needed
import WebTreeSitter = require('web-tree-sitter');
import type { Parser, Tree } from 'web-tree-sitter';

const { Language, Parser: ParserClass } = WebTreeSitter;

/** Where the two wasm files are. */
export interface DartWasmPaths {
  runtimeWasm: string;
  dartGrammarWasm: string;
}

/** The wasm paths for this process: next to the bundle when present, else from node_modules. */
export function defaultDartWasmPaths(): DartWasmPaths {
  const bundled = {
    runtimeWasm: join(__dirname, 'tree-sitter.wasm'),
    dartGrammarWasm: join(__dirname, 'tree-sitter-dart.wasm'),
  };
  if (existsSync(bundled.runtimeWasm) && existsSync(bundled.dartGrammarWasm)) return bundled;
  // Under tsx (tests, bench) __dirname is the source folder: find the packages from the cwd.
  const modules = join(process.cwd(), 'node_modules');
  return {
    runtimeWasm: join(modules, 'web-tree-sitter', 'tree-sitter.wasm'),
    dartGrammarWasm: join(modules, '@repomix', 'tree-sitter-wasms', 'out', 'tree-sitter-dart.wasm'),
  };
}

let loading: Promise<Parser> | null = null;

/** A Dart parser (shared; tree-sitter parsers are reusable across files, one parse at a time). */
export function loadDartParser(paths: DartWasmPaths = defaultDartWasmPaths()): Promise<Parser> {
  loading ??= (async () => {
    await ParserClass.init({ locateFile: () => paths.runtimeWasm });
    const language = await Language.load(paths.dartGrammarWasm);
    const parser = new ParserClass();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}

/** Counts ERROR and MISSING nodes: the "parses no worse" measure for rewritten Dart files. */
export function dartErrorCount(parser: Parser, text: string): number {
  const tree = parser.parse(text);
  if (!tree) return Number.MAX_SAFE_INTEGER;
  try {
    return treeErrorCount(tree);
  } finally {
    tree.delete();
  }
}

/** ERROR and MISSING nodes of a parsed tree. */
export function treeErrorCount(tree: Tree): number {
  if (!tree.rootNode.hasError) return 0;
  let count = 0;
  const cursor = tree.walk();
  try {
    // Depth-first walk that only descends into subtrees that contain an error.
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) count++;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return count;
      }
    }
  } finally {
    cursor.delete();
  }
}
