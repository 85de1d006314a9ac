/**
 * `reach --output csv` and `--output md`: read back with parsers written here (not the formatters' own helpers) and
 * compared with what the table prints for the same probes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { csvRecord } from '../../lib/cli/format/csv';
import { markdownTableCell } from '../../lib/cli/format/markdown';
import { runCli } from './fake-io';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples', 'reach');

/** An RFC 4180 reader: records end with CRLF, a quoted field may hold commas, CRLF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      // A quoted field: up to the quote that is not doubled.
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          field += text[i++];
        }
      }
      if (!(text[i] === ',' || text.startsWith('\r\n', i))) throw new Error(`text after a closing quote at ${i}`);
      continue;
    }
    if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (text[i] === '\n' || text[i] === '\r' || text[i] === '"') {
      throw new Error(`a bare ${JSON.stringify(text[i])} at ${i}: RFC 4180 allows it only inside quotes`);
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('the last record does not end with CRLF');
  return records;
}

/** The cells of a Markdown table row, split on the pipes that are not escaped. */
function markdownCells(line: string): string[] {
  expect(line.startsWith('| ') && line.endsWith(' |')).toBe(true);
  return line.slice(2, -2).split(/(?<!\\) \| /);
}

/** The table's rows for the same arguments, as [from, to, port/protocol, verdict]. */
async function tableRows(argv: readonly string[]): Promise<string[][]> {
  const { stdout } = await runCli(['reach', ...argv]);
  const lines = stdout.split('\n');
  return lines.slice(1, lines.indexOf('')).map((l) => l.split(/\s+/));
}

describe('eks-netpol reach --output csv', () => {
  test('writes the header and one CRLF-terminated record a probe, with the verdicts the policies imply', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--output', 'csv', '--to', 'shop/api']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(parseCsv(stdout)).toEqual([
      ['source', 'destination', 'port', 'protocol', 'verdict'],
      ['monitoring/prometheus', 'shop/api', '8080', 'TCP', 'denied'],
      ['monitoring/prometheus', 'shop/api', '9090', 'TCP', 'allowed'], // api-allow-monitoring: port metrics
      ['shop/api', 'shop/api', '8080', 'TCP', 'denied'],
      ['shop/api', 'shop/api', '9090', 'TCP', 'denied'],
      ['shop/db', 'shop/api', '8080', 'TCP', 'denied'], // db's egress is isolated with no rule
      ['shop/db', 'shop/api', '9090', 'TCP', 'denied'],
      ['shop/web', 'shop/api', '8080', 'TCP', 'allowed'], // api-allow-web: port http
      ['shop/web', 'shop/api', '9090', 'TCP', 'denied'],
    ]);
  });

  test('gives every probe of the table, in its order and with its values', async () => {
    const argv = [EXAMPLES, '--from', '203.0.113.7', '--from', 'shop/web', '--port', '53/udp', '--port', 'http'];
    const { stdout } = await runCli(['reach', ...argv, '-o', 'csv']);
    const records = parseCsv(stdout).slice(1).map(([from, to, port, protocol, verdict]) => [from, to, `${port}/${protocol}`, verdict]);
    const rows = await tableRows(argv);
    // 2 sources x (4 destinations on 53/UDP + the 2 that declare http).
    expect(rows.length).toBe(12);
    expect(records).toEqual(rows);
  });

  test('quotes a field holding a comma, a quote or a line break, and it parses back unchanged', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', ' padded '];
    const text = csvRecord(fields);
    expect(text).toBe('plain,"a,b","say ""hi""","two\r\nlines"," padded "\r\n');
    expect(parseCsv(text)).toEqual([fields]);
  });

  test('prints only the header when nothing is probed', async () => {
    const { code, stdout } = await runCli(['reach', path.join(EXAMPLES, 'namespaces.yaml'), '-o', 'csv']);
    expect(code).toBe(0);
    expect(stdout).toBe('source,destination,port,protocol,verdict\r\n');
  });

  test('matches the CSV example of the README, whose lines the README shows without their CR', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = /<!-- section:reach -->([\s\S]*?)<!-- \/section:reach -->/.exec(readme)![1];
    expect(section).toContain('`eks-netpol reach examples/reach/ --output csv --to shop/db` prints:');
    const shown = /```csv\n([\s\S]*?)```/.exec(section)![1];
    const { stdout } = await runCli(['reach', 'examples/reach/', '--output', 'csv', '--to', 'shop/db'], { cwd: ROOT });
    expect(stdout).toBe(shown.replace(/\n/g, '\r\n'));
  });
});

describe('eks-netpol reach --output md', () => {
  test('prints a header, a separator, a row of four cells a probe, and the count line', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--output', 'md', '--to', 'shop/api']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('| From | To | Port | Verdict |');
    expect(lines[1]).toBe('| --- | --- | --- | --- |');
    const rows = lines.slice(2, lines.indexOf(''));
    expect(rows.length).toBe(8);
    for (const row of rows) expect(markdownCells(row)).toHaveLength(4);
    expect(rows.map(markdownCells)).toEqual(await tableRows([EXAMPLES, '--to', 'shop/api']));
    expect(lines.slice(lines.indexOf(''))).toEqual(['', '8 probes: 2 allowed, 6 denied', '']);
  });

  test('escapes a pipe and a backslash, and folds a line break, so that a cell stays one cell', () => {
    const cell = markdownTableCell('a|b\\c\nd');
    expect(cell).toBe('a\\|b\\\\c d');
    expect(markdownCells(`| ${cell} | next |`)).toEqual([cell, 'next']);
  });

  test('prints the header and separator, and says why on stderr, when nothing is probed', async () => {
    const { code, stdout, stderr } = await runCli(['reach', path.join(EXAMPLES, 'namespaces.yaml'), '-o', 'md']);
    expect(code).toBe(0);
    expect(stdout).toBe('| From | To | Port | Verdict |\n| --- | --- | --- | --- |\n\n0 probes: 0 allowed, 0 denied\n');
    expect(stderr).toContain('no probes: the input declares no pod identity');
  });
});

describe('eks-netpol reach usage of the new formats', () => {
  test('lists csv, md, dot and svg in its help', async () => {
    const { stdout } = await runCli(['reach', '--help']);
    expect(stdout).toContain('table, json, matrix, summary, csv, md, dot or svg. Default: table.');
  });

  test.each(['csv', 'md', 'dot', 'svg'])('rejects --explain with --output %s, which has no room for reasons', async (output) => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--explain', '-o', output]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`--explain adds reasons to each probe, which --output ${output} does not print. Use --output table or --output json with --explain.`);
  });
});
