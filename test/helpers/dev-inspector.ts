/**
 * Dev preview of the inspector with fake data: `node --import tsx test/helpers/dev-inspector.ts [isolates]`
 * (run `npm run build` first). Prints the URL; Ctrl-C to stop.
 */
import { join } from 'node:path';
import { startInspectorServer } from '../../extension/core/inspector-server';
import { FakeModel } from './fake-model-stream';

const model = new FakeModel({ isolates: Number(process.argv[2] ?? 8) });
for (let i = 0; i < 40; i++) model.tick();
model.exit(model.snapshot().isolates.length - 1, 0);
void startInspectorServer({ model, webviewDir: join(process.cwd(), 'dist/webview') }).then((server) => {
  setInterval(() => model.tick(), 250);
  process.stderr.write(`isoscope dev inspector: ${server.url}\n`);
});
