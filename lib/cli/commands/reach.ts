/**
 * `eks-netpol reach [PATH...]`: who can reach whom, on which port, and why, from manifests.
 * Loads only the engine and the manifest reader (never a construct framework), so it starts fast.
 */
import { ProbeResult, Reachability, UnknownEndpointError } from '../../verdict/reachability';
import { writeCsv } from '../format/csv';
import { writeDot } from '../format/dot';
import { DOT_MISSING_MESSAGE, findExecutable, GraphvizFailedError, GraphvizMissingError, writeSvg } from '../format/graphviz';
import { writeJson } from '../format/json';
import { writeMarkdown } from '../format/markdown';
import { writeMatrix } from '../format/matrix';
import { Sink } from '../format/sink';
import { styleFor } from '../format/style';
import { writeSummary } from '../format/summary';
import { writeTable } from '../format/table';
import { Formatter, OUTPUT_FORMATS, OutputFormat } from '../format/types';
import { Command, EXIT } from '../io';
import { loadOrReport } from '../load';
import { parseProbeArgs, ProbeArgs, resolveQueryOrReport } from '../probe-args';

export const REACH_HELP = `Usage: eks-netpol reach [options] PATH...

Who can reach whom, on which port, and why, from Kubernetes manifests. PATH is a YAML or JSON file, a directory
(read recursively) or - for standard input; give at least one.

Without --port, every ordered pair of pod identities is probed on every container port the destination declares.
With --port, every pair is probed on the given ports, declared or not: the verdict is the policies', whether or not
something listens.

Options:
  --from NS/NAME|IP        A source: a pod identity (namespace/name of a Pod or a workload; a bare NAME is in
                           --namespace) or an IP address outside the cluster. Repeatable.
                           Default: every pod identity.
  --to NS/NAME|IP          A destination, as --from. Repeatable. Default: every pod identity.
  --port PORT[/PROTOCOL]   A port number (1-65535) or a container-port name, optionally with /TCP, /UDP or /SCTP
                           (default TCP; a name takes the protocol it is declared with). Repeatable.
                           Default: each destination's declared container ports.
  -n, --namespace NS       The namespace of objects that declare none. Default: default.
  -o, --output FORMAT      table, json, matrix, summary, csv, md, dot or svg. Default: table.
                           csv: RFC 4180 records source,destination,port,protocol,verdict.
                           md: a GitHub-flavoured Markdown table, for a pull request.
                           dot: a Graphviz digraph of the allowed connections, a cluster per
                           namespace, each edge labelled with its ports.
                           svg: that graph drawn by Graphviz (needs dot on PATH).
  --explain                Add the reasons: which policies isolate each end, which rules allow
                           (table and json only).
  -h, --help               Print this help.

Colour: only when stdout is a terminal; NO_COLOR=1 turns it off.

Exit status: 0 on success, 2 on invalid input or usage (every problem on stderr, with file and line),
1 on an internal error.

Examples:
  eks-netpol reach examples/reach/
  eks-netpol reach examples/reach/ --from shop/web --to shop/api --port http --explain
  eks-netpol reach examples/reach/ --output json
  eks-netpol reach examples/reach/ --output svg > reach.svg
  kubectl get netpol,deploy,ns -A -o yaml | eks-netpol reach - --output summary
`;

const FORMATTERS: Record<OutputFormat, Formatter> = {
  table: writeTable,
  json: writeJson,
  matrix: writeMatrix,
  summary: writeSummary,
  csv: writeCsv,
  md: writeMarkdown,
  dot: writeDot,
  svg: writeSvg,
};

/** Formats that hold a grid of every source and destination, and so refuse more than MATRIX_CELL_LIMIT cells. */
const GRID_OUTPUTS: readonly OutputFormat[] = ['matrix', 'dot', 'svg'];

/** Formats whose reader is a person, told on stderr why nothing was probed. */
const NOTE_EMPTY_OUTPUTS: readonly OutputFormat[] = ['table', 'matrix', 'md', 'dot', 'svg'];

/** Parses `reach`'s arguments; throws UsageError with the fix for anything wrong. */
export function parseReachArguments(argv: readonly string[]): ProbeArgs<OutputFormat> {
  return parseProbeArgs(argv, { outputs: OUTPUT_FORMATS, explainOutputs: ['table', 'json'] });
}

/**
 * Cells (sources x destinations) above which `--output matrix`, `dot` and `svg` refuse: their grids hold one value a
 * cell per port, and a grid 2,000 columns wide (or a graph of 2,000 nodes) is past reading anyway.
 */
export const MATRIX_CELL_LIMIT = 4_000_000;

/** The `reach` command: parse, load, resolve endpoints, probe, print. */
export const reach: Command = async (argv, io) => {
  const args = parseReachArguments(argv);
  if (args.help) {
    io.stdout.write(REACH_HELP);
    return EXIT.OK;
  }
  // Before loading anything: without Graphviz the answer is known, and the fix is to install it.
  if (args.output === 'svg' && !findExecutable('dot', io.env)) {
    io.stderr.write(`eks-netpol reach: ${DOT_MISSING_MESSAGE}.\n`);
    return EXIT.INVALID;
  }
  const cluster = loadOrReport(args.paths, args.namespace, io);
  if (typeof cluster === 'number') return cluster;
  const reachability = new Reachability(cluster);
  const query = resolveQueryOrReport('reach', args, reachability, io);
  if (typeof query === 'number') return query;

  let result: ProbeResult;
  try {
    result = reachability.probe(query);
  } catch (error) {
    if (!(error instanceof UnknownEndpointError)) throw error;
    io.stderr.write(`eks-netpol reach: ${error.message}\n`);
    return EXIT.INVALID;
  }

  const cells = result.sources.length * result.destinations.length;
  if (GRID_OUTPUTS.includes(args.output) && cells > MATRIX_CELL_LIMIT) {
    const what = args.output === 'matrix' ? 'a matrix' : 'a graph';
    io.stderr.write(`eks-netpol reach: ${what} of ${result.sources.length} sources by ${result.destinations.length} destinations is too large to print (at most ${MATRIX_CELL_LIMIT} cells). Narrow it with --from and --to, or use --output summary or json.\n`);
    return EXIT.INVALID;
  }
  const sink = new Sink(io.stdout);
  let probes: number;
  try {
    probes = await FORMATTERS[args.output](result, sink, { explain: args.explain, style: styleFor(io), env: io.env });
  } catch (error) {
    if (error instanceof GraphvizMissingError) {
      io.stderr.write(`eks-netpol reach: ${error.message}.\n`);
      return EXIT.INVALID;
    }
    if (!(error instanceof GraphvizFailedError)) throw error;
    io.stderr.write(`eks-netpol reach: ${error.message}\n--output dot prints the graph it was given.\n`);
    return EXIT.FAILED;
  }
  if (probes === 0 && !sink.closed && NOTE_EMPTY_OUTPUTS.includes(args.output)) {
    const why = result.destinations.length === 0
      ? 'the input declares no pod identity (a Pod or a workload such as a Deployment)'
      : 'the destinations declare no container ports. Give --port to probe a port';
    io.stderr.write(`eks-netpol reach: no probes: ${why}.\n`);
  }
  return EXIT.OK;
};
