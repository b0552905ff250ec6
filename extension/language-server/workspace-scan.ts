/**
 * The background scan of the workspace: finds Dart/TS/JS files (bounded count and size), skipping
 * dependency and build folders, so the server can analyze files that are not open.
 */
import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { languageOf } from './analysis/engine';
import { decodeSource } from './source-bytes';

const SKIP = new Set(['node_modules', 'dist', 'build', 'out', '.dart_tool', '.git', '.vscode-test', 'coverage']);
/** Limits that keep the scan's memory bounded on huge workspaces. */
export const SCAN_LIMITS = { maxFiles: 2000, maxFileBytes: 1024 * 1024 };

/** Source files under the roots, up to {@link SCAN_LIMITS}.maxFiles. */
export async function scanWorkspace(roots: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      // An unreadable folder just contributes no files; the scan goes on.
      return;
    }
    for (const e of entries) {
      if (found.length >= SCAN_LIMITS.maxFiles) return;
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) await visit(full);
      } else if (e.isFile() && languageOf(full) !== null) {
        found.push(full);
      }
    }
  };
  for (const root of roots) await visit(root);
  return found;
}

/**
 * True when the start-up scan would look at `file`: inside a root, and not inside a dependency,
 * build or hidden folder (a file created or changed later is analyzed by the same rule).
 */
export function inScannedFolder(file: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
    const folders = rel.split(sep).slice(0, -1);
    return folders.every((f) => !SKIP.has(f) && !f.startsWith('.'));
  });
}

/** Reads a scanned file, or null when it is too big, binary or unreadable (skipped silently). */
export async function readScanned(file: string): Promise<string | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.size > SCAN_LIMITS.maxFileBytes) return null;
    const bytes = await fs.readFile(file);
    return decodeSource(bytes)?.text ?? null;
  } catch {
    // Deleted between scan and read, or unreadable: nothing to analyze.
    return null;
  }
}
