import { ClusterDiff, ConnectionChange } from '../../verdict/diff';
import { comparedLine, describeCause, diffHeadline, diffNotes } from './diff-cause';
import { Style } from './style';

/** As reach's table: wide enough for `65535/SCTP`. */
const PORT_WIDTH = 10;
const GAP = '  ';

/**
 * `diff --output table`: one row a changed connection (newly allowed first, then newly denied; each sorted by
 * source, destination, port), its causes indented under it as in `reach --explain`, then a count line and notes.
 */
export function renderDiffTable(diff: ClusterDiff, style: Style): string {
  const changes: readonly ConnectionChange[] = [...diff.nowAllowed, ...diff.nowDenied];
  const out: string[] = [];
  if (changes.length > 0) {
    const fromWidth = Math.max(4, ...changes.map((c) => c.from.length));
    const toWidth = Math.max(2, ...changes.map((c) => c.to.length));
    const row = (from: string, to: string, port: string, change: string) =>
      `${from.padEnd(fromWidth)}${GAP}${to.padEnd(toWidth)}${GAP}${port.padEnd(PORT_WIDTH)}${GAP}${change}`;
    out.push(style.bold(row('FROM', 'TO', 'PORT', 'CHANGE')));
    for (const change of changes) {
      const word = change.change === 'allowed' ? style.good('now allowed') : style.bad('now denied');
      out.push(row(change.from, change.to, `${change.port}/${change.protocol}`, word));
      if (change.new) out.push(`    new      ${onlyInHeadEnds(diff, change)} only in HEAD`);
      for (const cause of change.causes) out.push(`    ${cause.direction.padEnd(7)}  ${describeCause(change, cause)}`);
    }
    out.push('');
  }
  out.push(`${diffHeadline(diff)}; ${comparedLine(diff)}.`);
  for (const note of diffNotes(diff)) out.push(`${note}.`);
  return `${out.join('\n')}\n`;
}

/** The ends of a new connection that exist only in HEAD: "shop/cache is" or "shop/a and shop/b are". */
function onlyInHeadEnds(diff: ClusterDiff, change: ConnectionChange): string {
  const ends = [...new Set([change.from, change.to])].filter((id) => diff.onlyInHead.includes(id));
  return ends.length === 1 ? `${ends[0]} is` : `${ends.join(' and ')} are`;
}
