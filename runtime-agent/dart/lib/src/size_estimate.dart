import 'dart:isolate';
import 'dart:typed_data';

/// What sending a message is estimated to copy.
class SizeEstimate {
  SizeEstimate(this.bytes, this.typedDataBytes, this.shape, {this.truncated = false});

  /// Estimated bytes the VM copies (the message's encoded size, roughly).
  final int bytes;

  /// The part of [bytes] that is typed-data payload: what `TransferableTypedData` would move.
  final int typedDataBytes;

  /// A short description such as `{pixels: Uint8List(4194304), width: int}`.
  final String shape;

  /// True when the walk stopped at its budget; [bytes] is then a lower bound.
  final bool truncated;
}

const int _objectHeaderBytes = 16;
const int _wordBytes = 8;
const int _maxNodes = 100000;
const int _maxShapeLength = 200;

/// Estimates the bytes copied when [message] is sent to another isolate.
///
/// Walks typed data, strings, lists, maps and sets, counting each object once (the VM keeps
/// shared references shared). Other objects count as a header plus what we cannot see.
SizeEstimate estimateCopySize(Object? message) {
  final walker = _Walker();
  final bytes = walker.walk(message, 0);
  final shape = _describe(message, 0);
  return SizeEstimate(
    bytes,
    walker.typedDataBytes,
    shape.length > _maxShapeLength ? '${shape.substring(0, _maxShapeLength)}…' : shape,
    truncated: walker.nodes >= _maxNodes,
  );
}

class _Walker {
  final Set<Object> _seen = Set<Object>.identity();
  int nodes = 0;
  int typedDataBytes = 0;

  int walk(Object? value, int depth) {
    if (value == null || value is bool || value is num) return _wordBytes;
    if (++nodes >= _maxNodes || !_seen.add(value)) return _wordBytes;
    if (value is String) {
      // One byte per code unit for Latin-1 strings, two otherwise.
      final wide = value.codeUnits.any((unit) => unit > 0xff);
      return _objectHeaderBytes + value.length * (wide ? 2 : 1);
    }
    if (value is TypedData) {
      typedDataBytes += value.lengthInBytes;
      return _objectHeaderBytes + value.lengthInBytes;
    }
    if (value is ByteBuffer) {
      typedDataBytes += value.lengthInBytes;
      return _objectHeaderBytes + value.lengthInBytes;
    }
    if (value is TransferableTypedData || value is SendPort || value is Capability) {
      return _objectHeaderBytes;
    }
    if (value is Map) {
      var total = _objectHeaderBytes;
      value.forEach((Object? k, Object? v) {
        total += walk(k, depth + 1) + walk(v, depth + 1);
      });
      return total;
    }
    if (value is Iterable) {
      var total = _objectHeaderBytes;
      for (final element in value) {
        total += walk(element, depth + 1);
      }
      return total;
    }
    // Fields of arbitrary objects are invisible without mirrors: count the header only.
    return _objectHeaderBytes + _wordBytes;
  }
}

String _describe(Object? value, int depth) {
  if (value == null) return 'null';
  if (value is TypedData) {
    return '${value.runtimeType}(${value.lengthInBytes})';
  }
  if (value is String) return 'String(${value.length})';
  if (value is num || value is bool) return value.runtimeType.toString();
  if (depth >= 2) return '…';
  if (value is Map) {
    final entries = value.entries.take(4).map((e) => '${e.key}: ${_describe(e.value, depth + 1)}');
    return '{${entries.join(', ')}${value.length > 4 ? ', …' : ''}}';
  }
  if (value is List) {
    if (value.isEmpty) return 'List(0)';
    return 'List<${_describe(value.first, depth + 1)}>(${value.length})';
  }
  return value.runtimeType.toString();
}
