/** Validation of page → host messages (`FromWebviewMessage`) for the inspector hosts. */
import type { FromWebviewMessage, SourceLocation } from '../../protocol';

function isLocation(v: unknown): v is SourceLocation {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.file === 'string' &&
    o.file.length > 0 &&
    o.file.length <= 4096 &&
    Number.isInteger(o.line) &&
    (o.line as number) >= 1 &&
    Number.isInteger(o.column) &&
    (o.column as number) >= 0
  );
}

/** Parses and validates one message from the page; null when it is not a valid FromWebviewMessage. */
export function parseFromWebviewMessage(raw: string | unknown): FromWebviewMessage | null {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      // Not JSON: the caller counts it as invalid.
      return null;
    }
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      return { type: 'ready' };
    case 'clear-exited':
      return { type: 'clear-exited' };
    case 'open-location': {
      if (!isLocation(o.location)) return null;
      const l = o.location;
      return { type: 'open-location', location: { file: l.file, line: l.line, column: l.column } };
    }
    default:
      return null;
  }
}
