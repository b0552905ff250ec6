/**
 * Two stages joined by a MessageChannel: `produce` sends readings straight to `consume` (not via
 * main), `consume` folds them and reports to main when the producer says `end`.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Counters } from './counters';

const port = parentPort!;
const counts = new Counters();
const role = workerData.role as 'produce' | 'consume';
let peer: MessagePort | null = null;

if (role === 'produce') {
  let timer: NodeJS.Timeout | null = null;
  let n = 0;
  port.on('message', (msg: { type: 'connect'; port: MessagePort } | { type: 'stop' }) => {
    counts.received++;
    if (msg.type === 'connect') {
      peer = msg.port;
      timer = setInterval(() => counts.post(peer!, { type: 'reading', n: n++, value: Math.sin(n) }), 5);
    } else {
      if (timer) clearInterval(timer);
      if (peer) {
        counts.post(peer, { type: 'end' });
        peer.close();
      }
      counts.postStats(port, { produced: n });
      port.close();
    }
  });
} else {
  let total = 0;
  let readings = 0;
  port.once('message', (msg: { type: 'connect'; port: MessagePort }) => {
    counts.received++;
    peer = msg.port;
    peer.on('message', (m: { type: 'reading'; value: number } | { type: 'end' }) => {
      counts.received++;
      if (m.type === 'reading') {
        total += m.value;
        readings++;
        return;
      }
      counts.postStats(port, { readings, total });
      peer!.close();
      port.close();
    });
  });
}
