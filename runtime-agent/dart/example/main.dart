// Run with `dart run --observe example/main.dart`, then `isoscope connect <printed URI>`.
import 'dart:isolate';
import 'dart:typed_data';

import 'package:isoscope_agent/isoscope_agent.dart';

Future<void> main() async {
  final results = ReceivePort('decoder-results');
  await profiledSpawn(_decoder, results.sendPort, debugName: 'image-decoder');

  var frames = 0;
  await for (final message in results) {
    final pixels = (message as Map)['pixels'] as Uint8List;
    print('frame ${++frames}: ${pixels.lengthInBytes} bytes');
    if (frames == 20) break;
  }
  results.close();

  final checksum = await profiledRun(() => _checksum(Uint8List(1 << 20)), debugName: 'checksum');
  print('checksum $checksum');
}

Future<void> _decoder(SendPort results) async {
  for (var i = 0; i < 20; i++) {
    final pixels = Uint8List(2048 * 2048);
    // Copies 4 MiB per frame into the main isolate: Isoscope flags this line.
    trackedSend(results, <String, Object?>{'pixels': pixels, 'width': 2048, 'height': 2048},
        portName: 'decoder-results');
    await Future<void>.delayed(const Duration(milliseconds: 50));
  }
}

int _checksum(Uint8List data) => data.fold(0, (sum, b) => (sum + b) & 0xffffffff);
