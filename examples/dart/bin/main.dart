// A sample for Isoscope: `dart run --observe bin/main.dart`, then paste the printed VM service
// URI into "Isoscope: Connect to Dart VM Service…" or run `isoscope connect <uri>`.
import 'dart:async';
import 'dart:isolate';
import 'dart:typed_data';

import 'package:isoscope_agent/isoscope_agent.dart';
import 'package:isoscope_dart_sample/workloads.dart';

Future<void> main() async {
  final frames = ReceivePort('frames');
  final transferred = ReceivePort('frames-transfer');
  final chatterPort = ReceivePort('chatter');

  await profiledSpawn(copyingProducer, frames.sendPort, debugName: 'copying-producer');
  await profiledSpawn(transferringProducer, transferred.sendPort, debugName: 'transferring-producer');
  await profiledSpawn(chatter, chatterPort.sendPort, debugName: 'chatter');

  final done = <Future<void>>[
    _drain(frames, (Object? m) => (m as Map)['samples'] as Float32List),
    _drain(transferred, (Object? m) {
      final bytes = ((m as Map)['samples'] as TransferableTypedData).materialize();
      return bytes.asFloat32List();
    }),
    _drain(chatterPort, (Object? m) => m),
  ];

  // Short-lived isolates: Isoscope records them from start to exit.
  for (var i = 0; i < 5; i++) {
    final count = await profiledRun(() => primesBelow(2000000 + i), debugName: 'primes-$i');
    print('primes below ${2000000 + i}: $count');
  }
  await Future.wait(done);
  print('done');
}

Future<void> _drain(ReceivePort port, Object? Function(Object?) unpack) async {
  await for (final message in port) {
    if (message == null) break;
    unpack(message);
  }
  port.close();
}
