import { ProbeResult } from '../../verdict/reachability';
import { Sink } from './sink';
import { Style } from './style';

/** How a formatter renders. */
export interface FormatOptions {
  /** Add the reasons: which policies isolate each endpoint and which rules admit the probe. */
  readonly explain: boolean;
  readonly style: Style;
}

/**
 * Renders a probe result to the sink and returns the number of probes it rendered. Streams, so it never holds every
 * verdict at once.
 */
export type Formatter = (result: ProbeResult, sink: Sink, options: FormatOptions) => Promise<number>;

/** The output formats of `reach`. */
export const OUTPUT_FORMATS = ['table', 'json', 'matrix', 'summary'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
