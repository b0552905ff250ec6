/**
 * Which editor documents and files the language server analyzes, in one place for the client
 * (document selector, file watcher) and the checks of package.json's activation events.
 */

/** VS Code language ids the server analyzes; each has an `onLanguage:` activation event. */
export const ANALYZED_LANGUAGE_IDS = [
  'dart',
  'typescript',
  'javascript',
  'typescriptreact',
  'javascriptreact',
] as const;

/**
 * Files larger than this (UTF-8 bytes) are not analyzed, on disk by `isoscope lint` nor open in the
 * editor: such files are generated bundles, and their analysis would take seconds per edit.
 */
export const MAX_ANALYZED_FILE_BYTES = 2 * 1024 * 1024;

/** Glob of the files the server analyzes (the extensions `languageOf` accepts), for file watchers. */
export const ANALYZED_FILES_GLOB = '**/*.{dart,ts,tsx,mts,cts,js,jsx,mjs,cjs}';
