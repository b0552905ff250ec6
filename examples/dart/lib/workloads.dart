import 'dart:isolate';
import 'dart:math';
import 'dart:typed_data';

import 'package:isoscope_agent/isoscope_agent.dart';

/// Produces 1 MiB frames and copies each one into the main isolate (the slow way).
Future<void> copyingProducer(SendPort out) async {
  final random = Random(7);
  for (var i = 0; i < 40; i++) {
    final frame = Float32List(256 * 1024);
    for (var j = 0; j < frame.length; j += 1024) {
      frame[j] = random.nextDouble();
    }
    trackedSend(out, <String, Object?>{'seq': i, 'samples': frame}, portName: 'frames');
    await Future<void>.delayed(const Duration(milliseconds: 25));
  }
  trackedSend(out, null, portName: 'frames');
}

/// The same producer with the fix: the payload moves through TransferableTypedData.
Future<void> transferringProducer(SendPort out) async {
  for (var i = 0; i < 40; i++) {
    final frame = Float32List(256 * 1024);
    final transferable = TransferableTypedData.fromList(<TypedData>[frame]);
    trackedSend(out, <String, Object?>{'seq': i, 'samples': transferable}, portName: 'frames-transfer');
    await Future<void>.delayed(const Duration(milliseconds: 25));
  }
  trackedSend(out, null, portName: 'frames-transfer');
}

/// Small control messages: below the oversized threshold, so no finding.
Future<void> chatter(SendPort out) async {
  for (var i = 0; i < 200; i++) {
    trackedSend(out, 'tick $i', portName: 'chatter');
    await Future<void>.delayed(const Duration(milliseconds: 5));
  }
  trackedSend(out, null, portName: 'chatter');
}

/// A CPU-bound job for a short-lived `Isolate.run` isolate.
int primesBelow(int limit) {
  final sieve = Uint8List(limit);
  var count = 0;
  for (var i = 2; i < limit; i++) {
    if (sieve[i] == 1) continue;
    count++;
    for (var j = i * i; j < limit; j += i) {
      sieve[j] = 1;
    }
  }
  return count;
}
