/**
 * Where a finding's source file is on disk. Runtime findings name it as a path, a `file:` URL or,
 * for Dart, a `package:NAME/path` URI. A package URI is resolved through the workspace's
 * `.dart_tool/package_config.json` (the file `dart pub get` writes): `rootUri` is relative to the
 * config file, `packageUri` to the root. One helper for the language server and the extension.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Folders never searched for a package config (dependencies, builds, VCS). */
const SKIP = new Set(['node_modules', 'build', 'dist', 'out', 'coverage']);
/** How deep below a workspace root package configs are looked for (root, packages/app, …). */
const SEARCH_DEPTH = 2;
/** Configs are looked for again at most this often (a `pub get` in a new package folder). */
const DISCOVERY_MS = 5_000;

interface PackageConfig {
  mtimeMs: number;
  /** Package name → the `file:` URL of its `package:` root (the `lib/` folder), ending in '/'. */
  packages: Map<string, URL>;
}

const withSlash = (s: string): string => (s.endsWith('/') ? s : `${s}/`);

/** Resolves finding locations to filesystem paths for a set of workspace roots. */
export class SourcePaths {
  private configFiles: string[] = [];
  private discoveredAt = -Infinity;
  private readonly configs = new Map<string, PackageConfig | null>();

  constructor(private readonly roots: () => readonly string[]) {}

  /**
   * A filesystem path for a finding's file: a path as is, a `file:` URL converted, a `package:`
   * URI through the package config; null when it can't be resolved (unknown package, `dart:`).
   */
  toPath(fileOrUri: string): string | null {
    if (fileOrUri.startsWith('file:')) {
      try {
        return fileURLToPath(fileOrUri);
      } catch {
        // A malformed file URL (another host, bad escapes) names nothing on this disk.
        return null;
      }
    }
    if (fileOrUri.startsWith('package:')) return this.resolvePackage(fileOrUri.slice('package:'.length));
    // Any other scheme (dart:, org-dartlang-sdk:, http:) is not a file here; `C:\…` is a path.
    if (/^[a-z][a-z0-9+.-]+:/i.test(fileOrUri)) return null;
    return fileOrUri;
  }

  private resolvePackage(rest: string): string | null {
    const slash = rest.indexOf('/');
    if (slash <= 0) return null;
    const name = rest.slice(0, slash);
    const lookup = (): string | null => {
      for (const file of this.configFiles) {
        const base = this.config(file)?.packages.get(name);
        if (!base) continue;
        try {
          return fileURLToPath(new URL(rest.slice(slash + 1), base));
        } catch {
          return null; // a package root that is not a file: URL (no file on this disk)
        }
      }
      return null;
    };
    if (performance.now() - this.discoveredAt > DISCOVERY_MS) this.discover();
    return lookup();
  }

  /** Finds `.dart_tool/package_config.json` files in the roots and the folders just below them. */
  private discover(): void {
    this.discoveredAt = performance.now();
    const found: string[] = [];
    const visit = (dir: string, depth: number): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // An unreadable folder holds no config we could use; the others are still searched.
        return;
      }
      if (entries.some((e) => e.name === '.dart_tool' && e.isDirectory()))
        found.push(join(dir, '.dart_tool', 'package_config.json'));
      if (depth >= SEARCH_DEPTH) return;
      for (const e of entries)
        if (e.isDirectory() && !e.name.startsWith('.') && !SKIP.has(e.name)) visit(join(dir, e.name), depth + 1);
    };
    for (const root of this.roots()) visit(root, 0);
    this.configFiles = found;
  }

  /** A config file's packages, read again when the file changed (`pub get` rewrites it). */
  private config(file: string): PackageConfig | null {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      // No config there (a .dart_tool without one): nothing resolves through it.
      return null;
    }
    const cached = this.configs.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const parsed = parsePackageConfig(file, mtimeMs);
    this.configs.set(file, parsed);
    return parsed;
  }
}

function parsePackageConfig(file: string, mtimeMs: number): PackageConfig | null {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { packages?: unknown };
    const packages = new Map<string, URL>();
    const configUrl = pathToFileURL(file);
    for (const p of Array.isArray(json.packages) ? (json.packages as unknown[]) : []) {
      const { name, rootUri, packageUri } = (p ?? {}) as { name?: unknown; rootUri?: unknown; packageUri?: unknown };
      if (typeof name !== 'string' || typeof rootUri !== 'string') continue;
      const root = new URL(withSlash(rootUri), configUrl);
      packages.set(name, new URL(typeof packageUri === 'string' ? withSlash(packageUri) : '', root));
    }
    return { mtimeMs, packages };
  } catch {
    // Half-written or not JSON (pub get running): treated as absent until it changes again.
    return { mtimeMs, packages: new Map() };
  }
}
