import 'dart:developer' as developer;

/// True in release (product) builds, where the agent must cost nothing.
const bool isProductBuild = bool.fromEnvironment('dart.vm.product');

/// Whether an event posted now would reach anyone.
///
/// `postEvent` is a no-op without a listener, but building the payload is not free, so
/// callers check this first.
bool get reporting => !isProductBuild && developer.extensionStreamHasListener;

/// Posts one Isoscope event on the VM service Extension stream.
void report(String kind, Map<String, Object?> data) {
  if (!reporting) return;
  developer.postEvent('isoscope.$kind', <String, Object?>{
    'v': 1,
    'atMs': DateTime.now().millisecondsSinceEpoch,
    ...data,
  });
}
