import { ClusterDiff, ConnectionChange } from '../../verdict/diff';
import { causeClauses, comparedLine, diffHeadline, diffNotes } from './diff-cause';
import { markdownTableCell as markdownCell } from './markdown';

const code = (text: string) => `\`${text}\``;

function cells(change: ConnectionChange, diff: ClusterDiff): string[] {
  const clauses = causeClauses(change);
  if (change.new) {
    const ends = [...new Set([change.from, change.to])].filter((id) => diff.onlyInHead.includes(id));
    clauses.unshift(`new: ${ends.join(' and ')} only in HEAD`);
  }
  return [
    change.change === 'allowed' ? 'now allowed' : 'now denied',
    change.from,
    change.to,
    `${change.port}/${change.protocol}`,
    clauses.map(markdownCell).join('<br>'),
  ].map((cell, i) => (i === 4 ? cell : markdownCell(cell)));
}

/**
 * `diff --output md`: a pull-request comment. A heading with the counts (`### 2 connections newly allowed, 1 newly
 * denied`), a table of the changed connections (newly allowed first) with their causes, then the notes.
 */
export function renderDiffMarkdown(diff: ClusterDiff): string {
  const out = [`### ${diffHeadline(diff)}`, ''];
  const changes = [...diff.nowAllowed, ...diff.nowDenied];
  if (changes.length > 0) {
    const row = (values: readonly string[]) => `| ${values.join(' | ')} |`;
    out.push(row(['Change', 'From', 'To', 'Port', 'Cause']));
    out.push(row(['---', '---', '---', '---', '---']));
    for (const change of changes) out.push(row(cells(change, diff)));
    out.push('');
  }
  out.push(`${comparedLine(diff)}.`);
  const notes = diffNotes(diff, code);
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}.`));
  return `${out.join('\n')}\n`;
}
