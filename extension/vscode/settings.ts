/**
 * The `isoscope.*` settings (contributes.configuration in package.json), read in one place.
 */
import * as vscode from 'vscode';
import type { Bytes, Millis } from '../../protocol';

/** Where "Profile Node Program…" runs the program. */
export type ProfileTarget = 'terminal' | 'debugger';

/** A typed view of the settings at one moment. */
export interface IsoscopeSettings {
  oversizedMessageBytes: Bytes;
  sampleIntervalMs: Millis;
  profileTerminals: boolean;
  profileDebugSessions: boolean;
  collectorPort: number;
  profileIn: ProfileTarget;
}

export const SECTION = 'isoscope';

/** Reads the current settings, falling back to the defaults on nonsense values. */
export function readSettings(): IsoscopeSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const positive = (key: string, fallback: number) => {
    const v = c.get<number>(key, fallback);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const port = c.get<number>('collectorPort', 0);
  return {
    oversizedMessageBytes: positive('oversizedMessageBytes', 65536),
    sampleIntervalMs: positive('sampleIntervalMs', 250),
    profileTerminals: c.get<boolean>('profileTerminals', false),
    profileDebugSessions: c.get<boolean>('profileDebugSessions', false),
    collectorPort: Number.isInteger(port) && port >= 0 && port < 65536 ? port : 0,
    profileIn: c.get<string>('profileIn', 'terminal') === 'debugger' ? 'debugger' : 'terminal',
  };
}

/** Fires when any isoscope setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
