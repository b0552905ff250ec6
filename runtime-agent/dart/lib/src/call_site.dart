/// A source position taken from a stack trace.
class CallSite {
  const CallSite(this.file, this.line, this.column, this.function);

  /// A `file:`, `package:` or `dart:` URI as the VM prints it.
  final String file;

  /// 1-based.
  final int line;

  /// 1-based; 1 when the VM did not print a column.
  final int column;

  final String? function;

  Map<String, Object?> toJson() => <String, Object?>{
        'file': file,
        'line': line,
        'column': column,
        'function': function,
      };

  @override
  String toString() => '$file:$line:$column';
}

// `#3      main.<anonymous closure> (file:///app/bin/main.dart:12:20)`
final RegExp _frame = RegExp(r'^#\d+\s+(.+?) \((.+?):(\d+)(?::(\d+))?\)$');

/// The first frame of [trace] outside the Dart SDK and this package, or null.
CallSite? firstUserFrame(StackTrace trace) {
  for (final line in trace.toString().split('\n')) {
    final match = _frame.firstMatch(line.trim());
    if (match == null) continue;
    final file = match.group(2)!;
    if (file.startsWith('dart:') || file.startsWith('package:isoscope_agent/')) continue;
    return CallSite(
      file,
      int.parse(match.group(3)!),
      int.tryParse(match.group(4) ?? '') ?? 1,
      match.group(1),
    );
  }
  return null;
}
