import { Formatter } from './types';

/**
 * Text for a cell of a GitHub-flavoured Markdown table: `|` would end the cell and a line break the row, and a
 * backslash could escape what follows it.
 */
export function markdownTableCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** One row of a GitHub-flavoured Markdown table, each cell escaped, with its line break. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map(markdownTableCell).join(' | ')} |\n`;
}

/**
 * `reach --output md`: a GitHub-flavoured Markdown table of the probes (From, To, Port, Verdict, as the table
 * prints them), then the count line, to paste into a pull request. Streams.
 */
export const writeMarkdown: Formatter = async (result, sink) => {
  sink.push(markdownRow(['From', 'To', 'Port', 'Verdict']));
  sink.push(markdownRow(['---', '---', '---', '---']));
  let probes = 0;
  let allowed = 0;
  for (const verdict of result.verdicts()) {
    if (sink.closed) return probes;
    probes++;
    if (verdict.allowed) allowed++;
    const text = markdownRow([verdict.from, verdict.to, `${verdict.port}/${verdict.protocol}`, verdict.allowed ? 'allowed' : 'denied']);
    if (sink.push(text)) await sink.flush();
  }
  sink.push(`\n${probes} ${probes === 1 ? 'probe' : 'probes'}: ${allowed} allowed, ${probes - allowed} denied\n`);
  await sink.flush();
  return probes;
};
