// Turns the transformer's ts.Diagnostics into what each plugin reports: a located message
// (file:line:column, as tsc prints it) and esbuild's `location` record.
import * as ts from 'typescript';

export interface DiagnosticLocation {
  readonly file: string;
  /** 1-based, as editors and esbuild count lines. */
  readonly line: number;
  /** 0-based, as esbuild counts columns. */
  readonly column: number;
  readonly length: number;
  readonly lineText: string;
}

export function diagnosticLocation(d: ts.Diagnostic): DiagnosticLocation | undefined {
  if (!d.file || d.start === undefined) return undefined;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const lineStarts = d.file.getLineStarts();
  const lineEnd = line + 1 < lineStarts.length ? lineStarts[line + 1] : d.file.text.length;
  const lineText = d.file.text.slice(lineStarts[line], lineEnd).replace(/\r?\n$/, '');
  const length = Math.max(0, Math.min(d.length ?? 0, lineText.length - character));
  return { file: d.file.fileName, line: line + 1, column: character, length, lineText };
}

export function diagnosticMessage(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

/** `file:line:col - error TS94001: message`, the form tsc prints (column 1-based there). */
export function formatDiagnostic(d: ts.Diagnostic): string {
  const where = diagnosticLocation(d);
  const category = ts.DiagnosticCategory[d.category].toLowerCase();
  const head = where ? `${where.file}:${where.line}:${where.column + 1} - ` : '';
  return `${head}${category} TS${d.code}: ${diagnosticMessage(d)}`;
}

export function isError(d: ts.Diagnostic): boolean {
  return d.category === ts.DiagnosticCategory.Error;
}

/** Thrown by plugins that can only fail (jest): carries every located message of the file. */
export class ForwardGradBuildError extends Error {
  constructor(readonly diagnostics: readonly ts.Diagnostic[]) {
    super(`forwardgrad: the forward-mode transform failed:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
    this.name = 'ForwardGradBuildError';
  }
}
