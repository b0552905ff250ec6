import 'dart:isolate';

import 'call_site.dart';
import 'reporter.dart';
import 'size_estimate.dart';

/// Sends [message] on [port] exactly like `port.send(message)`, and reports its estimated copy
/// size and call site to Isoscope while a VM-service client listens.
///
/// [portName] labels the destination in the inspector (use the ReceivePort's debug name).
/// In release builds, or with nobody listening, this is `port.send(message)` and nothing else.
void trackedSend(SendPort port, Object? message, {String? portName}) {
  if (reporting) {
    final estimate = estimateCopySize(message);
    report('send', <String, Object?>{
      'port': portName ?? 'port#${port.hashCode}',
      'bytes': estimate.bytes,
      'typedDataBytes': estimate.typedDataBytes,
      'transferredBytes': 0,
      'shape': estimate.shape,
      'site': firstUserFrame(StackTrace.current)?.toJson(),
    });
  }
  port.send(message);
}
