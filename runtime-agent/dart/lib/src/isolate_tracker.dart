import 'dart:async';
import 'dart:developer' show Service;
import 'dart:isolate';

import 'call_site.dart';
import 'reporter.dart';

/// Announces isolates to Isoscope: debug name, spawn site and parent isolate.
///
/// [profiledSpawn] and [profiledRun] call it for you. Isolates started some other way can
/// call [IsolateTracker.announce] first thing in their entry point.
abstract final class IsolateTracker {
  /// The VM-service id of the current isolate, or null in release builds.
  static String? get currentIsolateId => Service.getIsolateId(Isolate.current);

  /// Reports the current isolate's name, parent and spawn site.
  static void announce({
    String? debugName,
    String? parentIsolateId,
    CallSite? spawnSite,
    String how = 'spawn',
  }) {
    report('isolate', <String, Object?>{
      'debugName': debugName ?? Isolate.current.debugName,
      'parentIsolateId': parentIsolateId,
      'spawnSite': spawnSite?.toJson(),
      'how': how,
    });
  }
}

class _Boot<T> {
  _Boot(this.entryPoint, this.message, this.debugName, this.parentIsolateId, this.spawnSite);

  final FutureOr<void> Function(T) entryPoint;
  final T message;
  final String? debugName;
  final String? parentIsolateId;
  final CallSite? spawnSite;

  FutureOr<void> run() {
    IsolateTracker.announce(debugName: debugName, parentIsolateId: parentIsolateId, spawnSite: spawnSite);
    return entryPoint(message);
  }
}

FutureOr<void> _bootEntry(_Boot<Object?> boot) => boot.run();

/// `Isolate.spawn` that records the spawn site and parent for Isoscope.
///
/// The new isolate joins the caller's isolate group (as with `Isolate.spawn`), so its heap is
/// shared with the caller's.
Future<Isolate> profiledSpawn<T>(
  FutureOr<void> Function(T message) entryPoint,
  T message, {
  String? debugName,
  bool paused = false,
  SendPort? onExit,
  SendPort? onError,
}) {
  final boot = _Boot<Object?>(
    (Object? m) => entryPoint(m as T),
    message,
    debugName,
    reporting ? IsolateTracker.currentIsolateId : null,
    reporting ? firstUserFrame(StackTrace.current) : null,
  );
  return Isolate.spawn<_Boot<Object?>>(
    _bootEntry,
    boot,
    debugName: debugName,
    paused: paused,
    onExit: onExit,
    onError: onError,
  );
}

/// `Isolate.run` that records the spawn site and parent for Isoscope.
///
/// The result comes back through `Isolate.exit`, so it is not copied; [computation] and what
/// it captures are.
Future<R> profiledRun<R>(FutureOr<R> Function() computation, {String? debugName}) {
  final parent = reporting ? IsolateTracker.currentIsolateId : null;
  final site = reporting ? firstUserFrame(StackTrace.current) : null;
  return Isolate.run<R>(() {
    IsolateTracker.announce(debugName: debugName, parentIsolateId: parent, spawnSite: site, how: 'run');
    return computation();
  }, debugName: debugName);
}
