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
import { parseNodeArguments, withNodes } from '../node-option';
import { parseProbeArgs, ProbeArgs, resolveEndpoints, resolveQueryOrReport } from '../probe-args';
import { SERVICE_OUTPUTS, ServiceOutput, writeServiceVerdicts } from '../format/services';
import { parseServiceRef } from '../../verdict/service-verdict';
import { CliIO, UsageError } from '../io';

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
  --from node/NAME|node    A node as the source: its own pods are always reachable (kubelet probes), other
                           pods see its InternalIP addresses. "node" alone is each destination's own node.
  --to NS/NAME|IP          A destination, as --from. Repeatable. Default: every pod identity.
  --to service/NS/NAME     A Service (also svc/NS/NAME; service/NAME is in --namespace): each backend is
                           judged on its target port, and the verdict is allowed, denied, partial (some
                           backends allowed) or no backends. --port then names Service ports (number or
                           name); default every port of the Service. Outputs: table, json, csv, md.
                           All --to values are Services then.
  --node NAME=IP[,IP]      A node and its InternalIP addresses, when the input has no Node objects; pods that
                           report the IP as status.hostIP are placed on it. Repeatable.
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
  eks-netpol reach examples/reach/ --from shop/web --to service/shop/api --explain
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
  return parseProbeArgs(argv, { outputs: OUTPUT_FORMATS, explainOutputs: ['table', 'json'], extraOptions: { node: { type: 'string', multiple: true } } });
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
  const nodes = parseNodeArguments(args.extra.node as string[] | undefined);
  const loaded = loadOrReport(args.paths, args.namespace, io);
  if (typeof loaded === 'number') return loaded;
  const reachability = new Reachability(withNodes(loaded, nodes));
  const services = (args.query.to ?? []).map((ref) => parseServiceRef(ref, args.namespace));
  if (services.some((s) => s !== undefined)) return reachServices(args, services, reachability, io);
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

/** `reach --to service/...`: every source through every port (or the given ports) of each Service. */
async function reachServices(args: ProbeArgs<OutputFormat>, services: readonly (string | undefined)[], reachability: Reachability, io: CliIO): Promise<number> {
  const others = (args.query.to ?? []).filter((_, i) => services[i] === undefined);
  if (others.length > 0) {
    throw new UsageError(`--to ${others.map((o) => `"${o}"`).join(', ')} ${others.length === 1 ? 'is' : 'are'} not a Service, and the other --to values are: probe Services and pods in separate runs (a Service verdict covers its backends).`);
  }
  const output = args.output as string;
  if (!(SERVICE_OUTPUTS as readonly string[]).includes(output)) {
    throw new UsageError(`--output ${output} does not print probes through Services. Use ${SERVICE_OUTPUTS.map((o) => `--output ${o}`).join(', ')}.`);
  }
  const from = resolveEndpoints('--from', args.query.from, args.namespace, reachability.podIds, reachability.nodeIds);
  const problems = [...from.problems];
  for (const id of services as string[]) {
    try {
      reachability.service(`service/${id}`);
    } catch (error) {
      if (!(error instanceof UnknownEndpointError)) throw error;
      problems.push(`--to ${error.message}`);
    }
  }
  if (problems.length > 0) {
    for (const message of problems) io.stderr.write(`eks-netpol reach: ${message}\n`);
    return EXIT.INVALID;
  }
  let verdicts;
  try {
    verdicts = reachability.probeServices({ from: from.ids, to: services as string[], ports: args.query.ports });
  } catch (error) {
    if (!(error instanceof UnknownEndpointError)) throw error;
    io.stderr.write(`eks-netpol reach: ${error.message}\n`);
    return EXIT.INVALID;
  }
  await writeServiceVerdicts(verdicts, output as ServiceOutput, new Sink(io.stdout), { explain: args.explain, style: styleFor(io) });
  return EXIT.OK;
}
