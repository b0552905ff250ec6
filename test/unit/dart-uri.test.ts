import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeVmServiceUri, vmServiceHttpUri, VmServiceUriError } from '../../extension/core/dart/uri';

const ws = 'ws://127.0.0.1:8181/AbCd12_-=/ws';

test('every pasted form of a VM-service URI normalizes to the ws://…/TOKEN=/ws form', () => {
  for (const input of [
    'http://127.0.0.1:8181/AbCd12_-=/',
    'http://127.0.0.1:8181/AbCd12_-=',
    '  http://127.0.0.1:8181/AbCd12_-=/  ',
    'ws://127.0.0.1:8181/AbCd12_-=/ws',
    'ws://127.0.0.1:8181/AbCd12_-=/ws/',
    'ws://127.0.0.1:8181/AbCd12_-=/',
    'http://127.0.0.1:9100/#/?uri=ws%3A%2F%2F127.0.0.1%3A8181%2FAbCd12_-%3D%2Fws',
    'http://127.0.0.1:9100/?uri=http://127.0.0.1:8181/AbCd12_-=/',
  ]) {
    assert.equal(normalizeVmServiceUri(input), ws, input);
  }
});

test('https and wss map to wss; a URI without a token keeps its bare /ws path', () => {
  assert.equal(normalizeVmServiceUri('https://example.test:443/T0k3n=/'), 'wss://example.test/T0k3n=/ws');
  assert.equal(normalizeVmServiceUri('wss://example.test:9000/T0k3n=/ws'), 'wss://example.test:9000/T0k3n=/ws');
  assert.equal(normalizeVmServiceUri('http://127.0.0.1:8181/'), 'ws://127.0.0.1:8181/ws');
  assert.equal(normalizeVmServiceUri('http://[::1]:8181/x=/'), 'ws://[::1]:8181/x=/ws');
});

test('the http form is recovered for messages', () => {
  assert.equal(vmServiceHttpUri(ws), 'http://127.0.0.1:8181/AbCd12_-=/');
  assert.equal(vmServiceHttpUri('wss://h:1/t=/ws'), 'https://h:1/t=/');
});

test('garbage and other schemes are refused with a message that says what to paste', () => {
  assert.throws(() => normalizeVmServiceUri('127.0.0.1:8181'), VmServiceUriError);
  assert.throws(() => normalizeVmServiceUri('not a uri'), /Paste the one the app printed/);
  assert.throws(() => normalizeVmServiceUri('ftp://127.0.0.1:8181/t=/'), /http\(s\):\/\/ or ws\(s\):\/\//);
});

test('a pasted line or a URI in quotes or angle brackets yields the first VM-service URL in it', () => {
  for (const input of [
    'A Dart VM Service on Pixel 7 is available at: http://127.0.0.1:8181/AbCd12_-=/',
    'The Dart VM service is listening on http://127.0.0.1:8181/AbCd12_-=/',
    '"http://127.0.0.1:8181/AbCd12_-=/"',
    "'ws://127.0.0.1:8181/AbCd12_-=/ws'",
    '<http://127.0.0.1:8181/AbCd12_-=/>',
    'The Flutter DevTools debugger and profiler on Pixel 7 is available at: http://127.0.0.1:9100?uri=http://127.0.0.1:8181/AbCd12_-=/',
  ]) {
    assert.equal(normalizeVmServiceUri(input), ws, input);
  }
  assert.throws(() => normalizeVmServiceUri('no url in here at all'), /Paste the one the app printed/);
});

test("a line the app itself printed ('flutter: …', 'Observatory: …') yields the URL in it, not a 'flutter:' URL", () => {
  // `flutter: The Dart VM service …` parses as a whole URL whose scheme is `flutter:`.
  for (const prefix of ['flutter: The Dart VM service is listening on ', 'Observatory: ', 'vm: ']) {
    assert.equal(normalizeVmServiceUri(`${prefix}http://127.0.0.1:8181/AbCd12_-=/`), ws, prefix);
  }
});
