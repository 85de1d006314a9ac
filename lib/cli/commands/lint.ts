/**
 * `eks-netpol lint [PATH...]`: the policy mistakes that break production on EKS, caught before deploy.
 * Loads only the engine, the manifest reader and the lint rules (never a construct framework).
 */
import { parseArgs } from 'util';
import { formatJson, formatTable, ANSI_STYLE, PLAIN_STYLE } from '../../lint/format';
import { lintCluster, summarize } from '../../lint/lint';
import { RULES } from '../../lint/registry';
import { EnforcingMode, LintOptionsError } from '../../lint/types';
import { loadManifests } from '../../manifests';
import { formatProblem } from '../../model/problems';
import { Command, EXIT, UsageError } from '../io';
import { inputPath } from '../load';
import { suggest } from '../suggest';

const OUTPUTS = ['table', 'json'] as const;
type Output = (typeof OUTPUTS)[number];
const MODES: readonly EnforcingMode[] = ['standard', 'strict'];

function ruleList(): string {
  const width = Math.max(...RULES.map((r) => r.id.length));
  return RULES.map((r) => `  ${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n');
}

export function lintHelp(): string {
  return `Usage: eks-netpol lint [options] PATH...

Catch the NetworkPolicy mistakes that break production on EKS, before deploy. PATH is a YAML or JSON file, a
directory (read recursively) or - for standard input; give at least one.

Options:
  -o, --output FORMAT        table or json. Default: table.
  --disable RULE             Skip a rule (repeatable, or comma-separated).
  --enforcing-mode MODE      The VPC CNI NETWORK_POLICY_ENFORCING_MODE: standard or strict. Default: strict when
                             the input holds the aws-node DaemonSet set to strict, else standard.
  --pod-cidr CIDR            The cluster's pod CIDR (repeatable), for ipblock-covers-cluster-cidr and the IP family.
  --service-cidr CIDR        The cluster's service CIDR (repeatable), for ipblock-covers-cluster-cidr.
  --node-local-dns           Pods resolve through NodeLocal DNSCache (169.254.20.10). Default: when the input
                             holds a node-local-dns workload.
  -n, --namespace NS         The namespace of objects that declare none. Default: default.
  -h, --help                 Print this help.

An object annotated eks-netpol.io/lint-disable: "rule-a,rule-b" (or "all") is exempt from those rules.

Rules:
${ruleList()}

Exit status: 1 when there are errors, 0 otherwise (warnings and infos included), 2 on invalid input or usage
(every problem on stderr, with file and line).

Examples:
  eks-netpol lint examples/lint/
  eks-netpol lint k8s/ --enforcing-mode strict --pod-cidr 10.0.0.0/16 --output json
  kubectl get netpol,deploy,svc,ns -A -o yaml | eks-netpol lint - --disable eks-sctp
`;
}

/** The parsed arguments of `lint`. */
export interface LintArgs {
  readonly help: boolean;
  readonly paths: readonly string[];
  readonly output: Output;
  readonly disable: readonly string[];
  readonly enforcingMode?: EnforcingMode;
  readonly podCidrs: readonly string[];
  readonly serviceCidrs: readonly string[];
  readonly nodeLocalDns?: boolean;
  readonly namespace: string;
}

/** Parses `lint`'s arguments; throws UsageError with the fix for anything wrong. */
export function parseLintArguments(argv: readonly string[]): LintArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        disable: { type: 'string', multiple: true },
        'enforcing-mode': { type: 'string' },
        'pod-cidr': { type: 'string', multiple: true },
        'service-cidr': { type: 'string', multiple: true },
        'node-local-dns': { type: 'boolean' },
        namespace: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  const output = (values.output ?? 'table') as Output;
  if (!OUTPUTS.includes(output)) throw new UsageError(`--output "${values.output}" is not a format. Use table or json.`);
  const mode = values['enforcing-mode'];
  if (mode !== undefined && !MODES.includes(mode as EnforcingMode)) {
    throw new UsageError(`--enforcing-mode "${mode}" is not a mode. Use standard or strict.`);
  }
  const disable = (values.disable ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter((d) => d !== '');
  for (const id of disable) {
    if (!RULES.some((r) => r.id === id)) {
      const close = suggest(id, RULES.map((r) => r.id), 1);
      const hint = close.length > 0 ? ` Did you mean "${close[0]}"?` : '';
      throw new UsageError(`--disable "${id}" is not a lint rule.${hint} Rules: ${RULES.map((r) => r.id).join(', ')}.`);
    }
  }
  if (!help && positionals.length === 0) {
    throw new UsageError('give at least one PATH: a manifest file, a directory, or - for standard input.');
  }
  return {
    help,
    paths: positionals,
    output,
    disable,
    enforcingMode: mode as EnforcingMode | undefined,
    podCidrs: values['pod-cidr'] ?? [],
    serviceCidrs: values['service-cidr'] ?? [],
    nodeLocalDns: values['node-local-dns'],
    namespace: values.namespace ?? 'default',
  };
}

export const lint: Command = async (argv, io) => {
  const args = parseLintArguments(argv);
  if (args.help) {
    io.stdout.write(lintHelp());
    return EXIT.OK;
  }
  const { cluster, problems } = loadManifests(args.paths.map((p) => inputPath(io, p)), { namespace: args.namespace, readStdin: io.readStdin });
  if (problems.length > 0) {
    for (const problem of problems) io.stderr.write(`${formatProblem(problem)}\n`);
    io.stderr.write(`eks-netpol lint: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in the input; nothing was linted.\n`);
    return EXIT.INVALID;
  }
  let findings;
  try {
    findings = lintCluster(cluster, {
      disable: args.disable,
      enforcingMode: args.enforcingMode,
      podCidrs: args.podCidrs,
      serviceCidrs: args.serviceCidrs,
      nodeLocalDns: args.nodeLocalDns,
    });
  } catch (error) {
    if (error instanceof LintOptionsError) throw new UsageError(error.message.replace(/^podCidrs/, '--pod-cidr').replace(/^serviceCidrs/, '--service-cidr'));
    throw error;
  }
  io.stdout.write(args.output === 'json' ? formatJson(findings) : formatTable(findings, io.stdout.isTTY && !io.env.NO_COLOR ? ANSI_STYLE : PLAIN_STYLE));
  return summarize(findings).errors > 0 ? EXIT.FAILED : EXIT.OK;
};
