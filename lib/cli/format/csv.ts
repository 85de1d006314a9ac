import { Formatter } from './types';

/** The header row of `reach --output csv`. */
export const CSV_HEADER = ['source', 'destination', 'port', 'protocol', 'verdict'] as const;

/** RFC 4180 ends every record with CRLF, as spreadsheets and most CSV readers expect. */
const CRLF = '\r\n';

/**
 * One RFC 4180 field: quoted, with each `"` doubled, when it holds a comma, a quote, a line break or a space at
 * either end (which some readers trim); otherwise as it is.
 */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record: the fields joined with commas, then CRLF. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}${CRLF}`;
}

/**
 * `reach --output csv`: RFC 4180 records `source,destination,port,protocol,verdict`, one a probe in the table's
 * order, with the table's fields (port as a number, verdict `allowed` or `denied`). Streams.
 */
export const writeCsv: Formatter = async (result, sink) => {
  sink.push(csvRecord(CSV_HEADER));
  let probes = 0;
  for (const verdict of result.verdicts()) {
    if (sink.closed) return probes;
    probes++;
    const record = csvRecord([verdict.from, verdict.to, String(verdict.port), verdict.protocol, verdict.allowed ? 'allowed' : 'denied']);
    if (sink.push(record)) await sink.flush();
  }
  await sink.flush();
  return probes;
};
