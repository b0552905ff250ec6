/** Pool worker: downsamples RGBA tiles 2× and returns them (transferred), like an image resizer. */
import { parentPort } from 'node:worker_threads';
import { Counters } from './counters';

const port = parentPort!;
const counts = new Counters();

interface Tile {
  type: 'tile';
  id: number;
  width: number;
  height: number;
  pixels: Uint8Array;
}

function downsample(t: Tile): Uint8Array {
  const w = t.width >> 1;
  const h = t.height >> 1;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        const i = (2 * y * t.width + 2 * x) * 4 + c;
        out[(y * w + x) * 4 + c] = (t.pixels[i]! + t.pixels[i + 4]! + t.pixels[i + t.width * 4]!) / 3;
      }
    }
  }
  return out;
}

port.on('message', (msg: Tile | { type: 'frame'; pixels: Uint8Array } | { type: 'stop' }) => {
  counts.received++;
  switch (msg.type) {
    case 'tile': {
      const out = downsample(msg);
      counts.post(port, { type: 'tile-done', id: msg.id, pixels: out }, [out.buffer as ArrayBuffer]);
      break;
    }
    case 'frame':
      // A whole frame arrived by copy; checksum it so the work is real.
      counts.post(port, { type: 'frame-done', checksum: msg.pixels.reduce((a, b) => (a + b) & 0xffff, 0) });
      break;
    case 'stop':
      counts.postStats(port);
      port.close();
      break;
  }
});
