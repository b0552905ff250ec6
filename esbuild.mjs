// One build file, several contexts: agent, cli, extension, language server, webview, examples, tests.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = import.meta.dirname;
const out = join(root, 'dist');

/** All .ts files under a folder, recursively (for multi-entry builds). */
function tsFilesUnder(dir, skip = () => false) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files.push(...tsFilesUnder(full, skip));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !skip(full)) files.push(full);
  }
  return files;
}

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const contexts = [
  {
    ...nodeCommon,
    // The agent runs inside the profiled program: no source map comment pointing into the app's
    // own stack traces, and nothing that could trip the app's --enable-source-maps.
    sourcemap: false,
    entryPoints: { agent: 'runtime-agent/node/agent.ts', 'agent-exporter': 'runtime-agent/node/exporter-worker.ts' },
    outdir: out,
    outExtension: { '.js': '.cjs' },
    define: { ISOSCOPE_HOOK_SWITCH: 'false' },
  },
  {
    // The bench's build of the same agent, with the hook switch (runtime-agent/node/hook-switch.ts).
    ...nodeCommon,
    sourcemap: false,
    entryPoints: { agent: 'runtime-agent/node/agent.ts', 'agent-exporter': 'runtime-agent/node/exporter-worker.ts' },
    outdir: join(out, 'bench'),
    outExtension: { '.js': '.cjs' },
    define: { ISOSCOPE_HOOK_SWITCH: 'true' },
  },
  {
    ...nodeCommon,
    // `lint` carries the TypeScript compiler (~11 MB): its own file, loaded only by `isoscope lint`,
    // so `run`, `connect` and `--help` start without parsing it.
    entryPoints: { cli: 'extension/cli/main.ts', 'cli-lint': 'extension/cli/lint-command.ts' },
    outdir: out,
    // package.json's bin and npm start run dist/cli.cjs.
    outExtension: { '.js': '.cjs' },
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...nodeCommon,
    entryPoints: {
      extension: 'extension/vscode/extension.ts',
      'language-server': 'extension/language-server/server.ts',
    },
    outdir: out,
    // package.json "main" is dist/extension.cjs: CommonJS regardless of any "type" in package.json.
    outExtension: { '.js': '.cjs' },
    external: ['vscode'],
  },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    entryPoints: { inspector: 'webview/main.ts' },
    outdir: join(out, 'webview'),
    loader: { '.css': 'css' },
  },
  {
    ...nodeCommon,
    // Demo workloads are built like a user's TS app: one file per entry, with source maps,
    // so call sites can be mapped back to the .ts lines.
    bundle: false,
    entryPoints: tsFilesUnder('examples/node'),
    outbase: 'examples/node',
    outdir: join(out, 'examples/node'),
  },
  {
    ...nodeCommon,
    entryPoints: tsFilesUnder('test/vscode'),
    outbase: 'test/vscode',
    outdir: join(out, 'test/vscode'),
    external: ['vscode', 'mocha', 'playwright-core'],
    bundle: true,
  },
];

/** Assets the bundles load at run time (wasm, fonts). */
function copyAssets() {
  mkdirSync(join(out, 'webview'), { recursive: true });
  cpSync('node_modules/source-map/lib/mappings.wasm', join(out, 'mappings.wasm'));
  cpSync('node_modules/@vscode/codicons/dist/codicon.css', join(out, 'webview/codicon.css'));
  cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', join(out, 'webview/codicon.ttf'));
  cpSync('node_modules/web-tree-sitter/tree-sitter.wasm', join(out, 'tree-sitter.wasm'));
  cpSync('node_modules/@repomix/tree-sitter-wasms/out/tree-sitter-dart.wasm', join(out, 'tree-sitter-dart.wasm'));
  cpSync('webview/inspector.css', join(out, 'webview/inspector.css'));
}

/**
 * Declaration files the bundled language server's TS analyzer loads at run time: lib.es2022 and the
 * libs it references (dist/ts-lib), and the @types/node files it keeps (dist/types/node; the list
 * is read from extension/language-server/ts/libs.ts so the two can't drift apart).
 */
function copyLanguageServerTypes() {
  const libSrc = 'node_modules/typescript/lib';
  const libOut = join(out, 'ts-lib');
  rmSync(libOut, { recursive: true, force: true });
  mkdirSync(libOut, { recursive: true });
  const pending = ['es2022'];
  const seen = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const text = readFileSync(join(libSrc, `lib.${name}.d.ts`), 'utf8');
    cpSync(join(libSrc, `lib.${name}.d.ts`), join(libOut, `lib.${name}.d.ts`));
    for (const m of text.matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"/gm)) pending.push(m[1]);
  }
  const libsTs = readFileSync('extension/language-server/ts/libs.ts', 'utf8');
  const list = /NODE_TYPES_KEPT = \[([^\]]*)\]/.exec(libsTs);
  if (!list) throw new Error('esbuild.mjs: NODE_TYPES_KEPT not found in extension/language-server/ts/libs.ts');
  const typesOut = join(out, 'types', 'node');
  rmSync(typesOut, { recursive: true, force: true });
  for (const [, file] of list[1].matchAll(/'([^']+)'/g)) {
    const from = join('node_modules/@types/node', file);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(typesOut, file)), { recursive: true });
    cpSync(from, join(typesOut, file));
  }
}

const started = Date.now();
copyAssets();
copyLanguageServerTypes();
if (watch) {
  for (const options of contexts) (await esbuild.context(options)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(contexts.map((options) => esbuild.build(options)));
  console.log(`esbuild: built ${contexts.length} contexts into dist/ in ${Date.now() - started} ms`);
}
