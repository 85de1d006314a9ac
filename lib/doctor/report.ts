/** Renders the doctor's results as a table (people) or JSON (scripts). Deterministic: same results, same bytes. */
import { CheckResult } from './types';

/** Counts per status. */
export function summarize(results: readonly CheckResult[]): { pass: number; warn: number; fail: number } {
  return {
    pass: results.filter((r) => r.status === 'pass').length,
    warn: results.filter((r) => r.status === 'warn').length,
    fail: results.filter((r) => r.status === 'fail').length,
  };
}

/** One line per check (status, id, detail) and an indented fix line under each warn and fail. */
export function renderTable(clusterName: string, region: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines = [`Cluster ${clusterName} (${region}): can it enforce NetworkPolicies?`, ''];
  for (const r of results) {
    lines.push(`${r.status.toUpperCase().padEnd(4)}  ${r.id.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`${' '.repeat(6 + width + 2)}fix: ${r.fix}`);
  }
  const { pass, warn, fail } = summarize(results);
  lines.push('', `summary: ${pass} pass, ${warn} warn, ${fail} fail`);
  return `${lines.join('\n')}\n`;
}

/** The JSON document for `--output json`. */
export function renderJson(clusterName: string, region: string, results: readonly CheckResult[]): string {
  return `${JSON.stringify({ cluster: clusterName, region, checks: results, summary: summarize(results) }, null, 2)}\n`;
}
