/**
 * The arguments every probing command shares (`reach`, `lab`): PATH..., --from, --to, --port, --namespace, --output,
 * --explain, --help. Parsing is separate from resolving endpoints, which needs the loaded cluster.
 */
import { parseArgs, ParseArgsConfig } from 'util';
import { parseIp } from '../model/cidr';
import { NODE_PREFIX, OWN_NODE_ID } from '../verdict/endpoint';
import { PortQuery, ProbeQuery, Reachability } from '../verdict/reachability';
import { CliIO, EXIT, UsageError } from './io';
import { parsePortArgument } from './ports';
import { translatedAddressProblems } from './service-addresses';
import { suggest } from './suggest';

/** What a command accepts beyond the shared arguments. */
export interface ProbeArgsOptions<O extends string> {
  /** The `--output` formats the command offers; the first is the default. */
  readonly outputs: readonly O[];
  /**
   * The formats that can print `--explain`'s reasons.
   *
   * @default - every format in `outputs`
   */
  readonly explainOutputs?: readonly O[];
  /**
   * The command's own options, in util.parseArgs form; their values come back in `extra`.
   *
   * @default - none
   */
  readonly extraOptions?: NonNullable<ParseArgsConfig['options']>;
}

/** The parsed shared arguments. `query.from`/`query.to` are as given: resolve them with `resolveQueryOrReport`. */
export interface ProbeArgs<O extends string> {
  readonly paths: readonly string[];
  readonly query: ProbeQuery;
  readonly namespace: string;
  readonly output: O;
  readonly explain: boolean;
  readonly help: boolean;
  /** Values of `extraOptions`, by name. */
  readonly extra: Readonly<Record<string, unknown>>;
}

const NAMESPACE_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses the shared arguments; throws UsageError with the fix for anything wrong. */
export function parseProbeArgs<O extends string>(argv: readonly string[], options: ProbeArgsOptions<O>): ProbeArgs<O> {
  const shared = {
    from: { type: 'string', multiple: true },
    to: { type: 'string', multiple: true },
    port: { type: 'string', multiple: true },
    namespace: { type: 'string', short: 'n', default: 'default' },
    output: { type: 'string', short: 'o', default: options.outputs[0] },
    explain: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { ...options.extraOptions, ...shared } });
  } catch (error) {
    // util.parseArgs explains unknown options and missing values well; keep its message, drop its stack.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { positionals } = parsed;
  // The extra options make parseArgs's inferred type a union; read the values as what they are.
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  const output = values.output as O;
  if (!options.outputs.includes(output)) {
    throw new UsageError(`--output "${output}" is not a format. Use one of: ${options.outputs.join(', ')}.`);
  }
  const namespace = values.namespace as string;
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new UsageError(`--namespace "${namespace}" is not a namespace name. Use at most 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
  const explain = values.explain === true;
  const explainOutputs = options.explainOutputs ?? options.outputs;
  if (explain && !explainOutputs.includes(output)) {
    const use = explainOutputs.map((o) => `--output ${o}`).join(' or ');
    throw new UsageError(`--explain adds reasons to each probe, which --output ${output} does not print. Use ${use} with --explain.`);
  }
  if (!help && positionals.length === 0) {
    throw new UsageError('give at least one PATH: a manifest file, a directory, or - to read standard input.');
  }
  const extra: Record<string, unknown> = {};
  for (const name of Object.keys(options.extraOptions ?? {})) extra[name] = values[name];
  const ports: PortQuery[] | undefined = (values.port as string[] | undefined)?.map(parsePortArgument);
  return {
    paths: positionals,
    query: { from: values.from as string[] | undefined, to: values.to as string[] | undefined, ports },
    namespace,
    output,
    explain,
    help,
    extra,
  };
}

/**
 * Turns `--from`/`--to` values into pod ids or IPs: a bare NAME is in `namespace`. Returns a message for each value
 * that names nothing, with the nearest pod identities.
 */
export function resolveEndpoints(
  flag: string,
  refs: readonly string[] | undefined,
  namespace: string,
  podIds: readonly string[],
  nodeIds: readonly string[] = [],
): { ids?: string[]; problems: string[] } {
  if (!refs) return { problems: [] };
  const known = new Set(podIds);
  const nodes = new Set(nodeIds);
  const ids: string[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    if (parseIp(ref) || ref === OWN_NODE_ID || (nodes.has(ref) && !known.has(ref))) {
      ids.push(ref);
      continue;
    }
    if (ref.startsWith(NODE_PREFIX) && !known.has(ref)) {
      const near = suggest(ref, nodeIds);
      const hint = near.length > 0 ? `Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
        : nodeIds.length > 0 ? `Its nodes are ${nodeIds.slice(0, 10).map((n) => `"${n}"`).join(', ')}.`
          : 'The input has no nodes: add Node objects or Pods with spec.nodeName, or give --node NAME=IP.';
      problems.push(`${flag} "${ref}" is not a node of the input. ${hint} "node" alone is each destination's own node.`);
      continue;
    }
    const id = ref.includes('/') ? ref : `${namespace}/${ref}`;
    if (known.has(id)) {
      ids.push(id);
      continue;
    }
    const near = suggest(id, podIds);
    const hint = near.length > 0
      ? `Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
      : 'Name a pod identity as namespace/name (a Pod or a workload such as a Deployment), a Service as service/NS/NAME, or give an IP address.';
    const shown = id === ref ? `"${ref}"` : `"${ref}" (read as "${id}")`;
    problems.push(`${flag} ${shown} is not a pod identity in the input or an IP address. ${hint}`);
  }
  return { ids, problems };
}

/**
 * The query with `--from`/`--to` resolved against the loaded pods; on unknown endpoints, prints every one (with a
 * "did you mean") to stderr as `eks-netpol COMMAND: ...` and returns EXIT.INVALID.
 */
export function resolveQueryOrReport(
  command: string,
  args: ProbeArgs<string>,
  reachability: Reachability,
  io: CliIO,
): ProbeQuery | number {
  const podIds = reachability.podIds;
  const from = resolveEndpoints('--from', args.query.from, args.namespace, podIds, reachability.nodeIds);
  const to = resolveEndpoints('--to', args.query.to, args.namespace, podIds);
  const problems = [...from.problems, ...to.problems, ...translatedAddressProblems(args.query.to, reachability.cluster)];
  if (problems.length === 0) return { from: from.ids, to: to.ids, ports: args.query.ports };
  for (const message of problems) io.stderr.write(`eks-netpol ${command}: ${message}\n`);
  return EXIT.INVALID;
}
