/** Text-level building blocks shared by the Dart fixes: wrapping, `as…List()` names, imports. */
import type { FileEdit } from '../analysis/types';
import type { DartValue } from './values';

/** The `ByteBuffer.as…()` method that gives the original typed list back after materialize(). */
export function asMethod(value: DartValue): string {
  if (value.type === 'int-list') return `as${value.convertTo}`;
  if (value.type === 'typed') return value.listType === 'ByteData' ? 'asByteData' : `as${value.listType}`;
  return 'asUint8List';
}

/** `TransferableTypedData.fromList([x])`, converting a List<int> to a typed list first. */
export function wrapTransferable(exprText: string, value: DartValue): string {
  const inner = value.type === 'int-list' ? `${value.convertTo}.fromList(${exprText})` : exprText;
  return `TransferableTypedData.fromList([${inner}])`;
}

/** Edits that add the given `dart:` imports when the file doesn't have them yet. */
export function importEdits(file: string, text: string, libs: readonly string[]): FileEdit[] {
  const missing = libs.filter((lib) => !new RegExp(`import\\s+['"]${lib}['"]`).test(text));
  if (missing.length === 0) return [];
  const imports = [...text.matchAll(/^import\s+[^;]+;[ \t]*$/gm)];
  const last = imports[imports.length - 1];
  const lines = missing.map((lib) => `import '${lib}';`).join('\n');
  if (last) {
    const at = last.index + last[0].length;
    return [{ file, start: at, end: at, newText: `\n${lines}` }];
  }
  const library = /^library\s+[^;]*;[ \t]*$/m.exec(text);
  if (library) {
    const at = library.index + library[0].length;
    return [{ file, start: at, end: at, newText: `\n\n${lines}` }];
  }
  return [{ file, start: 0, end: 0, newText: `${lines}\n\n` }];
}

/** Libraries a rewrite needs: TransferableTypedData (dart:isolate), typed lists (dart:typed_data). */
export function neededLibs(value: DartValue): string[] {
  return value.type === 'int-list' ? ['dart:isolate', 'dart:typed_data'] : ['dart:isolate'];
}
