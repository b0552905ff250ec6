/// Isolate message profiling for Isoscope.
///
/// Replace `port.send(message)` with `trackedSend(port, message)` where you want sizes and
/// call sites, and start isolates with [profiledSpawn] / [profiledRun] to record their spawn
/// site. Events go out through `dart:developer` `postEvent` only while a VM-service client
/// listens to the Extension stream, and never in release (product) builds.
library isoscope_agent;

export 'src/call_site.dart' show CallSite, firstUserFrame;
export 'src/isolate_tracker.dart' show IsolateTracker, profiledRun, profiledSpawn;
export 'src/size_estimate.dart' show SizeEstimate, estimateCopySize;
export 'src/tracked_send.dart' show trackedSend;
