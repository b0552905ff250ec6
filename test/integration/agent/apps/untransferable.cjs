// A transfer list with a buffer Node will not move (marked untransferable): Node 20 copies it and
// leaves it attached; newer Node may refuse the send. Prints what happened, as the app sees it.
const { MessageChannel, markAsUntransferable } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
const kept = new ArrayBuffer(100_000);
markAsUntransferable(kept);
const moved = new ArrayBuffer(50_000);
const done = (outcome) => {
  port1.close();
  console.log(`REPORT ${JSON.stringify(outcome)}`);
};
try {
  port1.postMessage({ kept, moved }, [kept, moved]);
  const outcome = { threw: null, keptLeft: kept.byteLength, movedLeft: moved.byteLength };
  port2.once('message', (m) => done({ ...outcome, receivedKept: m.kept.byteLength }));
} catch (err) {
  done({ threw: err.name, keptLeft: kept.byteLength, movedLeft: moved.byteLength });
}
