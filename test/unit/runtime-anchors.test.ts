import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  RuntimeAnchors,
  shiftPosition,
  type Edit,
  type Position,
} from '../../extension/language-server/runtime-anchors';
import type { RuntimeFinding } from '../../protocol';

const at = (line: number, character: number): Position => ({ line, character });
const edit = (start: Position, end: Position, text: string): Edit => ({ start, end, text });

test('shiftPosition: a position follows the code it is at, checked against a real TextDocument edit', () => {
  const lines = ['const a = 1;', 'port.postMessage(big);', 'done();'];
  const cases: { edit: Edit; why: string }[] = [
    { edit: edit(at(0, 0), at(0, 0), '// header\n// more\n'), why: 'lines inserted above' },
    { edit: edit(at(0, 0), at(1, 0), ''), why: 'the line above deleted' },
    { edit: edit(at(1, 0), at(1, 0), '  '), why: 'indented' },
    { edit: edit(at(1, 0), at(1, 0), 'if (x)\n  '), why: 'a line break typed before it' },
    { edit: edit(at(0, 6), at(0, 7), 'alpha'), why: 'a rename above' },
    { edit: edit(at(1, 22), at(1, 22), ' // copy'), why: 'typed after it on its line' },
    { edit: edit(at(2, 0), at(2, 7), 'x\ny\nz'), why: 'lines changed below' },
    { edit: edit(at(0, 12), at(1, 0), '\r\n\r\n'), why: 'CRLF breaks inserted' },
  ];
  for (const { edit: e, why } of cases) {
    const doc = TextDocument.create('file:///a.ts', 'typescript', 1, lines.join('\n'));
    const moved = TextDocument.update(doc, [{ range: { start: e.start, end: e.end }, text: e.text }], 2);
    const p = shiftPosition(at(1, 0), e);
    assert.ok(moved.getText().slice(moved.offsetAt(p)).startsWith('port.postMessage(big);'), why);
    assert.deepEqual(moved.positionAt(moved.offsetAt(p)), p, `${why}: a position inside the text`);
  }
});

test('shiftPosition: text replaced around the position puts it at the replacement’s start', () => {
  assert.deepEqual(shiftPosition(at(5, 4), edit(at(3, 0), at(7, 0), 'x\n')), at(3, 0));
  assert.deepEqual(shiftPosition(at(5, 4), edit(at(5, 2), at(5, 9), 'yy')), at(5, 2));
  // The replaced range's end is exclusive: a position there is carried.
  assert.deepEqual(shiftPosition(at(5, 9), edit(at(5, 2), at(5, 9), 'yy')), at(5, 4));
});

function finding(line: number, column: number, id = 'oversized-message:/w/a.ts:' + line): RuntimeFinding {
  return {
    id,
    rule: 'oversized-message',
    severity: 'warning',
    message: 'm',
    location: { file: '/w/a.ts', line, column },
    isolateId: null,
    bytes: 1,
    count: 1,
    totalBytes: 1,
    suggestion: '',
  };
}

test('RuntimeAnchors: a finding moves with edits, keeps its place when pushed again, and resets', () => {
  const anchors = new RuntimeAnchors();
  const f = finding(10, 3);
  assert.equal(anchors.place('/w/a.ts', f), f, 'unedited: as measured');
  anchors.edit('/w/a.ts', [f], edit(at(0, 0), at(0, 0), 'a\nb\n'));
  anchors.edit('/w/a.ts', [f], edit(at(11, 0), at(11, 0), '\t'));
  assert.deepEqual(anchors.place('/w/a.ts', f).location, { file: '/w/a.ts', line: 12, column: 4 });
  anchors.edit('/w/a.ts', [f], edit(at(11, 0), at(11, 1), ''));
  assert.deepEqual(anchors.place('/w/a.ts', f).location, { file: '/w/a.ts', line: 12, column: 3 });
  // The same finding pushed again (a copy, as a new notification brings) stays where it moved.
  anchors.retain('/w/a.ts', [{ ...f }]);
  assert.equal(anchors.place('/w/a.ts', { ...f }).location?.line, 12);
  // A new measurement at another line is another finding: shown where measured.
  assert.equal(anchors.place('/w/a.ts', finding(12, 3, f.id)).location?.line, 12);
  assert.equal(anchors.place('/w/a.ts', finding(40, 1, f.id)).location?.line, 40);
  // Other files are not touched.
  assert.equal(anchors.place('/w/b.ts', f).location?.line, 10);
  // No longer pushed: forgotten, so a later push of it starts from its measured line.
  anchors.retain('/w/a.ts', []);
  assert.equal(anchors.place('/w/a.ts', f).location?.line, 10);
  anchors.edit('/w/a.ts', [f], edit(at(0, 0), at(0, 0), '\n'));
  anchors.reset('/w/a.ts');
  assert.equal(anchors.place('/w/a.ts', f).location?.line, 10);
});
