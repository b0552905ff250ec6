/**
 * The inspector server over real sockets, fed by the real IsolateModel: page + CSP, static files
 * without traversal, the URL token, Host/Origin checks, hydrate on connect, live updates, clear-exited.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { SourceLocation, ToWebviewMessage } from '../../protocol';
import { startInspectorServer, type InspectorServer } from '../../extension/core/inspector-server';
import { IsolateModel } from '../../extension/core/model/model';

const HOSTILE = '<img src=x onerror=alert(1)>';
let model: IsolateModel;
let server: InspectorServer;
const opened: SourceLocation[] = [];

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The page's path, `/TOKEN/`, from the URL the server gives out. */
const page = (): string => new URL(server.url).pathname;

/** A WebSocket client that queues messages so none is missed between awaits. */
function connect(
  origin: string,
  path = `${page()}ws`,
): Promise<{ ws: WebSocket; next: () => Promise<ToWebviewMessage> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers: { Origin: origin } });
    const queue: ToWebviewMessage[] = [];
    const waiters: ((m: ToWebviewMessage) => void)[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ToWebviewMessage;
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    ws.on('open', () =>
      resolve({
        ws,
        next: () => {
          const m = queue.shift();
          return m ? Promise.resolve(m) : new Promise((r) => waiters.push(r));
        },
      }),
    );
    ws.on('error', reject);
  });
}

before(async () => {
  model = new IsolateModel({ changeDelayMs: 10 });
  const now = Date.now();
  model.openSession({
    id: 's1',
    runtime: 'node',
    label: 'node app.js',
    pid: 1,
    startedAtMs: now,
    runtimeVersion: 'v20',
  });
  for (const [id, name, kind] of [
    ['1', 'main', 'main'],
    ['2', HOSTILE, 'worker'],
    ['3', 'short-lived', 'worker'],
  ] as const) {
    model.ingest('s1', {
      type: 'isolate-start',
      isolateId: id,
      name,
      kind,
      parentId: kind === 'main' ? null : '1',
      groupId: null,
      threadId: Number(id),
      atMs: now,
      spawnSite: null,
      scriptPath: null,
    });
  }
  model.ingest('s1', { type: 'isolate-exit', isolateId: '3', atMs: now + 5, exitCode: 0 });
  await model.settled();
  server = await startInspectorServer({
    model,
    webviewDir: join(process.cwd(), 'dist/webview'),
    updateIntervalMs: 50,
    onOpenLocation: (l) => opened.push(l),
  });
});

after(async () => {
  await server.close();
  model.dispose();
});

test('serves the page on 127.0.0.1 with a nonce CSP limited to its own ws URL', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/$/);
  const res = await get(page(), { Host: `127.0.0.1:${server.port}` });
  assert.equal(res.status, 200);
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`connect-src ws://127\\.0\\.0\\.1:${server.port}${page()}ws(;|$)`));
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce);
  assert.ok(res.body.includes(`<script nonce="${nonce}"`), 'script carries the header nonce');
  const again = await get(page(), { Host: `127.0.0.1:${server.port}` });
  assert.notEqual(
    /'nonce-([^']+)'/.exec(String(again.headers['content-security-policy']))?.[1],
    nonce,
    'fresh nonce per load',
  );
});

test('a page opened as localhost gets a policy for localhost, so its styles and socket are allowed', async () => {
  const res = await get(page(), { Host: `localhost:${server.port}` });
  assert.equal(res.status, 200);
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, new RegExp(`style-src http://localhost:${server.port}(;|$)`));
  assert.match(csp, new RegExp(`connect-src ws://localhost:${server.port}${page()}ws(;|$)`));
  assert.ok(
    res.body.includes(`ws://localhost:${server.port}${page()}ws`),
    'the page connects back to the host it came from',
  );
});

test('serves the bundle and refuses traversal, sub-folders and unknown types', async () => {
  const host = { Host: `127.0.0.1:${server.port}` };
  const js = await get('/webview/inspector.js', host);
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /javascript/);
  assert.equal((await get('/webview/codicon.ttf', host)).status, 200);
  for (const p of [
    '/webview/../package.json',
    '/webview/%2e%2e/package.json',
    '/webview/..%2fpackage.json',
    '/webview/x/inspector.js',
    '/package.json',
    '/webview/.env',
  ]) {
    assert.equal((await get(p, host)).status, 404, p);
  }
});

test('refuses a foreign Host header (DNS rebinding) and a foreign Origin on the socket', async () => {
  assert.equal((await get(page(), { Host: 'evil.example:80' })).status, 421);
  await assert.rejects(connect('http://evil.example'), /403|Unexpected server response/);
});

test('the page and its socket need the token in the URL: another local process cannot read the profile', async () => {
  const host = { Host: `127.0.0.1:${server.port}` };
  const token = page().slice(1, -1);
  const bare = await get('/', host);
  assert.equal(bare.status, 403);
  assert.match(bare.body, /open the full URL that isoscope printed/);
  assert.ok(!bare.body.includes(token) && !JSON.stringify(bare.headers).includes(token), 'the token is not given away');
  const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  for (const p of [`/${wrong}/`, `/${token}x/`, '/index.html', `/${wrong}/index.html`]) {
    assert.notEqual((await get(p, host)).status, 200, p);
  }
  // A client may send any Origin header; without the token its upgrade is refused all the same.
  const origin = `http://127.0.0.1:${server.port}`;
  for (const p of ['/ws', `/${wrong}/ws`, `/${token}/ws/x`]) {
    await assert.rejects(connect(origin, p), /403|Unexpected server response/, p);
  }
  const { ws, next } = await connect(origin);
  assert.equal((await next()).type, 'hydrate');
  ws.close();
});

test('hydrates on connect, streams updates, and re-hydrates after clear-exited', async () => {
  const { ws, next } = await connect(`http://127.0.0.1:${server.port}`);
  try {
    const first = await next();
    assert.equal(first.type, 'hydrate');
    if (first.type !== 'hydrate') return;
    const names = first.snapshot.isolates.map((i) => i.name).sort();
    assert.deepEqual(names, [HOSTILE, 'main', 'short-lived'].sort());
    const main = first.snapshot.isolates.find((i) => i.name === 'main')!;

    model.ingest('s1', {
      type: 'sample',
      isolateId: '1',
      atMs: Date.now(),
      heapUsedBytes: 123_456,
      heapTotalBytes: 400_000,
      externalBytes: 0,
      arrayBuffersBytes: 0,
      heapShared: false,
      cpuTimeMicros: 5000,
      queueDepth: 3,
    });
    let update: ToWebviewMessage;
    do update = await next();
    while (update.type !== 'update' || !update.update.points[main.id]);
    assert.equal(update.update.points[main.id].heapUsedBytes, 123_456);

    ws.send(JSON.stringify({ type: 'open-location', location: { file: '/x/app.ts', line: 4, column: 2 } }));
    ws.send('garbage');
    ws.send(JSON.stringify({ type: 'clear-exited' }));
    let rehydrate: ToWebviewMessage;
    do rehydrate = await next();
    while (rehydrate.type !== 'hydrate');
    assert.deepEqual(rehydrate.snapshot.isolates.map((i) => i.name).sort(), [HOSTILE, 'main'].sort());
    assert.deepEqual(opened, [{ file: '/x/app.ts', line: 4, column: 2 }]);
    assert.equal(server.stats().invalidFromPage, 1);
  } finally {
    ws.close();
  }
});

test('a status set on the server reaches open pages at once and pages that connect later after their hydrate', async () => {
  const early = await connect(`http://127.0.0.1:${server.port}`);
  try {
    assert.equal((await early.next()).type, 'hydrate');
    server.setStatus({ text: 'The run ended: node app.js exited with code 0', level: 'info' });
    let m: ToWebviewMessage;
    do m = await early.next();
    while (m.type === 'update');
    assert.deepEqual(m, { type: 'status', text: 'The run ended: node app.js exited with code 0', level: 'info' });
    const late = await connect(`http://127.0.0.1:${server.port}`);
    try {
      assert.equal((await late.next()).type, 'hydrate');
      assert.deepEqual(await late.next(), m);
    } finally {
      late.ws.close();
    }
  } finally {
    server.setStatus(null);
    early.ws.close();
  }
});

test('closing sends the last state first: a page sees the isolate that exited just before the end', async () => {
  const own = new IsolateModel({ changeDelayMs: 10 });
  own.openSession({ id: 's9', runtime: 'node', label: 'end', pid: 9, startedAtMs: Date.now(), runtimeVersion: 'v20' });
  own.ingest('s9', {
    type: 'isolate-start',
    isolateId: '9',
    name: 'last-main',
    kind: 'main',
    parentId: null,
    groupId: null,
    threadId: 0,
    atMs: Date.now(),
    spawnSite: null,
    scriptPath: null,
  });
  const ending = await startInspectorServer({
    model: own,
    webviewDir: join(import.meta.dirname, '..', '..', 'dist', 'webview'),
  });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${ending.port}${new URL(ending.url).pathname}ws`, {
      headers: { Origin: `http://127.0.0.1:${ending.port}` },
    });
    const states: string[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ToWebviewMessage;
      const isolates = m.type === 'hydrate' ? m.snapshot.isolates : m.type === 'update' ? m.update.isolates : [];
      for (const i of isolates ?? []) if (i.name === 'last-main') states.push(i.state);
    });
    await new Promise((resolve) => ws.once('message', resolve));
    // The program ends: its session closes, and the inspector closes right after.
    own.closeSession('s9', Date.now());
    await own.settled();
    await ending.close();
    assert.equal(await closed, 1001);
    assert.equal(states.at(-1), 'exited', `states seen: ${states.join(', ')}`);
  } finally {
    own.dispose();
  }
});
