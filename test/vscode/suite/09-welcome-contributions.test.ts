/**
 * The empty-state help: the Isolates view's welcome content and the "Get started" walkthrough, as
 * the running VS Code sees them in the extension's manifest. Every command they link to must be
 * registered, and every walkthrough media file must ship. (The Playwright UI test checks that the
 * welcome view is rendered and that its "Learn more" link opens the walkthrough.)
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, isoscope } from '../helpers';

interface Manifest {
  contributes: {
    viewsWelcome: { view: string; contents: string }[];
    walkthroughs: {
      id: string;
      title: string;
      steps: { id: string; title: string; description: string; media: { markdown?: string } }[];
    }[];
  };
}

/** `command:` link targets in welcome/walkthrough markdown (without their arguments). */
function linkedCommands(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);
}

function manifest(): { ext: vscode.Extension<unknown>; json: Manifest } {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is loaded`);
  return { ext, json: ext.packageJSON as Manifest };
}

describe('welcome view and walkthrough', () => {
  it('the Isolates view has welcome content whose links are registered commands', async () => {
    await isoscope();
    const { json } = manifest();
    const welcome = json.contributes.viewsWelcome.find((w) => w.view === 'isoscope.isolates');
    assert.ok(welcome, 'viewsWelcome for isoscope.isolates');
    assert.match(welcome.contents, /No isolates yet/);
    const linked = linkedCommands(welcome.contents);
    for (const id of ['isoscope.profileNodeProgram', 'isoscope.connectDartVm', 'isoscope.toggleTerminalProfiling'])
      assert.ok(linked.includes(id), `the welcome view links ${id}`);
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of linked) assert.ok(all.has(id), `${id} (linked from the welcome view) is registered`);
    assert.ok(
      welcome.contents.includes(
        `workbench.action.openWalkthrough?${encodeURIComponent(`"${EXTENSION_ID}#isoscope.start"`)}`,
      ),
      'the welcome view links the walkthrough by its full id',
    );
  });

  it('the walkthrough’s steps link registered commands and their media ship with the extension', async () => {
    await isoscope();
    const { ext, json } = manifest();
    const walkthrough = json.contributes.walkthroughs.find((w) => w.id === 'isoscope.start');
    assert.ok(walkthrough, 'walkthrough isoscope.start');
    assert.equal(walkthrough.title, 'Get started with Isoscope');
    assert.ok(walkthrough.steps.length >= 3, 'a few steps');
    const all = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const linked = linkedCommands(step.description);
      assert.ok(linked.length > 0, `step ${step.id} links a command`);
      for (const id of linked) assert.ok(all.has(id), `${id} (step ${step.id}) is registered`);
      if (step.media.markdown)
        assert.ok(existsSync(path.join(ext.extensionPath, step.media.markdown)), `${step.media.markdown} exists`);
    }
    // Opening it must not throw (the UI test checks what the page shows); then close it again.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#isoscope.start`, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
