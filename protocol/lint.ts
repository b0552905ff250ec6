/** Contract 5: `isoscope lint --json` output. Lines and columns are 1-based. */

export interface LintPosition {
  line: number;
  column: number;
}

export interface LintEdit {
  file: string;
  range: { start: LintPosition; end: LintPosition };
  newText: string;
}

export interface LintFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  file: string;
  line: number;
  column: number;
  message: string;
  fix?: { title: string; edits: LintEdit[] };
}

export interface LintOutput {
  findings: LintFinding[];
  /** Files that could not be analyzed, each with a reason. */
  errors?: { file: string; message: string }[];
}
