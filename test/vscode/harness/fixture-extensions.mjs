// Extensions the suite needs besides Isoscope, packaged from test/fixtures/vscode-* and installed
// into the run's code-server like any other extension (its own CLI, so the extensions registry
// lists them). Today one: a Dart-Code-like debug adapter that announces a VM service URI through
// the `dart.debuggerUris` custom event (test/fixtures/vscode-dart-adapter-ext).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installVsix } from './code-server-instance.mjs';

/** The fixture extensions: folder under test/fixtures and the installed id. */
export const FIXTURE_EXTENSIONS = [{ dir: 'vscode-dart-adapter-ext', id: 'isoscope-test.vscode-dart-adapter-ext' }];

/** Packages each fixture with vsce into `runDir` and installs it; throws with the tool output on failure. */
export function installFixtureExtensions({ repo, codeServer, dirs, runDir }) {
  const vsce = join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  for (const { dir, id } of FIXTURE_EXTENSIONS) {
    const vsixPath = join(runDir, `${dir}.vsix`);
    const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license'];
    const r = spawnSync(process.execPath, [...args, '--out', vsixPath], {
      cwd: join(repo, 'test', 'fixtures', dir),
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0 || !existsSync(vsixPath))
      throw new Error(`vsce package of test/fixtures/${dir} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    installVsix({ ...codeServer, dirs, vsixPath });
    if (!readdirSync(dirs.extensions).some((n) => n.startsWith(`${id}-`)))
      throw new Error(`${id} is not in ${dirs.extensions} after --install-extension`);
  }
}
