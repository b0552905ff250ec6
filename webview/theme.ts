/**
 * Colours for canvas drawing (sparklines, charts), read from the CSS variables that inspector.css
 * derives from `--vscode-*` (panel) or prefers-color-scheme (browser). Re-read on theme change.
 */

/** Resolved colours. */
export interface ThemeColors {
  fg: string;
  muted: string;
  grid: string;
  series: string[];
  warn: string;
  error: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** Reads the current theme colours from the document. */
export function readTheme(): ThemeColors {
  const s = getComputedStyle(document.body);
  return {
    fg: cssVar(s, '--iso-fg', '#cccccc'),
    muted: cssVar(s, '--iso-muted', '#9d9d9d'),
    grid: cssVar(s, '--iso-grid', 'rgba(128,128,128,0.2)'),
    series: [
      cssVar(s, '--iso-series-1', '#3794ff'),
      cssVar(s, '--iso-series-2', '#89d185'),
      cssVar(s, '--iso-series-3', '#cca700'),
      cssVar(s, '--iso-series-4', '#c586c0'),
    ],
    warn: cssVar(s, '--iso-warn', '#cca700'),
    error: cssVar(s, '--iso-error', '#f14c4c'),
  };
}

/** Calls `listener` when the VS Code theme (body class) or the OS colour scheme changes. */
export function onThemeChange(listener: () => void): void {
  new MutationObserver(listener).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', listener);
}
