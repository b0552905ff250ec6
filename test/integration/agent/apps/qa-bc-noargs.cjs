// BroadcastChannel#postMessage() without an argument throws ERR_MISSING_ARGS and sends nothing.
const a = new BroadcastChannel('no-args');
const b = new BroadcastChannel('no-args');
const got = [];
b.onmessage = (e) => got.push(e.data);
try {
  a.postMessage();
  console.log('postMessage() returned');
} catch (e) {
  console.log('postMessage() threw', e.code);
}
a.postMessage('real');
setTimeout(() => {
  console.log('received', JSON.stringify(got));
  a.close();
  b.close();
}, 50);
