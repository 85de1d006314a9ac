import { ProbeResult } from '../../verdict/reachability';
import { Sink } from './sink';
import { Style } from './style';

/** How a formatter renders. */
export interface FormatOptions {
  /** Add the reasons: which policies isolate each endpoint and which rules admit the probe. */
  readonly explain: boolean;
  readonly style: Style;
  /**
   * The environment of external programs a formatter runs (`--output svg` runs Graphviz's `dot`, found on its PATH).
   *
   * @default - process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Renders a probe result to the sink and returns the number of probes it rendered. Streams, so it never holds every
 * verdict at once.
 */
export type Formatter = (result: ProbeResult, sink: Sink, options: FormatOptions) => Promise<number>;

/**
 * The output formats of `reach`: `csv` and `md` list the probes like `table`; `dot` and `svg` draw the allowed
 * connections as a graph (`svg` through Graphviz's `dot`).
 */
export const OUTPUT_FORMATS = ['table', 'json', 'matrix', 'summary', 'csv', 'md', 'dot', 'svg'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
