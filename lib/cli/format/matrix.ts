import { ProbeGrid } from '../../verdict/reachability';
import { Style } from './style';
import { Formatter } from './types';

/** Cell symbols: short enough for wide clusters, plain ASCII for any terminal. */
export const MATRIX_SYMBOLS = { allowed: '+', denied: '-', notProbed: '.' } as const;

const LEGEND = `${MATRIX_SYMBOLS.allowed} allowed  ${MATRIX_SYMBOLS.denied} denied  ${MATRIX_SYMBOLS.notProbed} not probed (the destination does not declare this port)`;

function cell(value: boolean | undefined, style: Style): string {
  if (value === undefined) return style.dim(MATRIX_SYMBOLS.notProbed);
  return value ? style.good(MATRIX_SYMBOLS.allowed) : style.bad(MATRIX_SYMBOLS.denied);
}

/**
 * One grid per port and protocol: rows are sources (by name), columns destinations (by number, keyed once at the
 * top, so that a column stays one character wide however long the names are).
 */
export const writeMatrix: Formatter = async (result, sink, { style }) => {
  const destinations = result.destinations.map((d) => d.id);
  const sources = result.sources.map((s) => s.id);
  const numberWidth = String(destinations.length).length;
  const labelWidth = Math.max(...sources.map((s) => s.length), 0);

  sink.push(`${style.bold('Columns (to):')}\n`);
  destinations.forEach((id, i) => sink.push(`  ${String(i + 1).padStart(numberWidth)}  ${id}\n`));
  sink.push(`${style.bold('Legend:')} ${LEGEND}\n`);

  const grids: ProbeGrid[] = result.grids();
  let probes = 0;
  for (const grid of grids) {
    if (sink.closed) return probes;
    const pad = ' '.repeat(numberWidth - 1);
    const header = destinations.map((_, i) => String(i + 1).padStart(numberWidth)).join(' ');
    sink.push(`\n${style.bold(`${grid.port}/${grid.protocol}`)}  (rows: from, columns: to)\n`);
    sink.push(`${''.padEnd(labelWidth)}  ${header}\n`);
    for (let row = 0; row < grid.from.length; row++) {
      // Symbols are one character: pad by hand, since escape codes would fool padStart.
      const cells = grid.allowed[row].map((v) => pad + cell(v, style)).join(' ');
      probes += grid.allowed[row].filter((v) => v !== undefined).length;
      if (sink.push(`${grid.from[row].padEnd(labelWidth)}  ${cells}\n`)) await sink.flush();
      if (sink.closed) return probes;
    }
  }
  await sink.flush();
  return probes;
};

