/**
 * The two outputs of `eks-netpol lint`: the JSON contract (documented in the README) and a table for terminals.
 */
import { summarize } from './lint';
import { Finding, LintSummary } from './types';

/** The JSON contract: `{"findings":[...],"summary":{"errors":0,"warnings":1,"infos":0}}`. */
export interface LintReport {
  readonly findings: readonly Finding[];
  readonly summary: LintSummary;
}

/** The report with the fields of each finding in the documented order. */
export function lintReport(findings: readonly Finding[]): LintReport {
  return {
    findings: findings.map((f) => ({
      rule: f.rule, severity: f.severity, object: f.object, file: f.file, line: f.line, message: f.message, fix: f.fix,
    })),
    summary: summarize(findings),
  };
}

export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify(lintReport(findings))}\n`;
}

/** Colours for a terminal; identity functions otherwise. */
export interface LintStyle {
  readonly severity: (severity: Finding['severity'], text: string) => string;
  readonly dim: (text: string) => string;
}

export const PLAIN_STYLE: LintStyle = { severity: (_s, text) => text, dim: (text) => text };

export const ANSI_STYLE: LintStyle = {
  severity: (severity, text) => `\u001b[${severity === 'error' ? '31' : severity === 'warning' ? '33' : '36'}m${text}\u001b[0m`,
  dim: (text) => `\u001b[2m${text}\u001b[0m`,
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * One block per finding, as compilers print them:
 * `file:line: warning [rule] Kind/ns/name: message` then an indented `fix: ...` line; a summary line at the end.
 */
export function formatTable(findings: readonly Finding[], style: LintStyle = PLAIN_STYLE): string {
  const lines: string[] = [];
  for (const f of findings) {
    const where = f.file !== undefined ? `${f.file}${f.line !== undefined ? `:${f.line}` : ''}: ` : '';
    lines.push(`${where}${style.severity(f.severity, f.severity)} [${f.rule}] ${f.object}: ${f.message}`);
    lines.push(style.dim(`    fix: ${f.fix}`));
  }
  const s = summarize(findings);
  if (findings.length === 0) lines.push('No findings.');
  else lines.push(`\n${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')}.`);
  return `${lines.join('\n')}\n`;
}
