/**
 * `eks-netpol diff BASE HEAD`: which connections a change to the manifests newly allows or newly denies, and the
 * rules behind each, for reviewing policy changes in pull requests. Loads only the engine and the manifest reader.
 */
import { parseArgs } from 'util';
import { ClusterState } from '../../model/types';
import { diffClusters } from '../../verdict/diff';
import { renderDiffJson } from '../format/diff-json';
import { renderDiffMarkdown } from '../format/diff-md';
import { renderDiffTable } from '../format/diff-table';
import { styleFor } from '../format/style';
import { Command, CliIO, EXIT, UsageError } from '../io';
import { loadOrReport } from '../load';

/** The text of `eks-netpol diff --help`. */
export const DIFF_HELP = `Usage: eks-netpol diff [options] BASE HEAD

Which connections a change to the manifests newly allows or newly denies, and why. BASE (before) and HEAD (after)
are each a YAML or JSON file, a directory (read recursively) or - for standard input (one side at most).

Every ordered pair of pod identities is probed on every container port the destination declares in BASE or HEAD,
in both, as 'eks-netpol reach' probes them. Each change names its cause: for a connection now allowed, the HEAD
rules that admit it; for one now denied, the BASE rules that admitted it and the HEAD policies that now isolate it.

A pod identity in one side only: its connections are new (HEAD only) or gone (BASE only). A new connection that
HEAD allows is listed as now allowed, since it is access that did not exist; gone connections are not listed as
denied. Both kinds of identity are listed under the report. Addresses outside the cluster are not probed; policies
whose ipBlock rules differ are named instead.

Options:
  -n, --namespace NS       The namespace of objects that declare none, on both sides. Default: default.
  -o, --output FORMAT      table, json or md (a GitHub Markdown table for a pull-request comment).
                           Default: table.
  --fail-on-new-allow      Exit 1 when at least one connection is newly allowed (the report is printed anyway).
  -h, --help               Print this help.

Colour: only when stdout is a terminal; NO_COLOR=1 turns it off.

Exit status: 0 when the report is printed (changes are a result, not a failure); 1 with --fail-on-new-allow when a
connection is newly allowed, or on an internal error; 2 on invalid input (each problem with file and line, and the
side, BASE or HEAD) or usage.

Examples:
  eks-netpol diff main/dist/gitops branch/dist/gitops
  eks-netpol diff examples/diff/base examples/diff/head --output md
  eks-netpol diff base/ head/ --fail-on-new-allow
`;

/** The output formats of `diff`; the first is the default. */
export const DIFF_OUTPUT_FORMATS = ['table', 'json', 'md'] as const;
export type DiffOutputFormat = (typeof DIFF_OUTPUT_FORMATS)[number];

/** The parsed arguments of `diff`. */
export interface DiffArgs {
  readonly base: string;
  readonly head: string;
  readonly namespace: string;
  readonly output: DiffOutputFormat;
  readonly failOnNewAllow: boolean;
  readonly help: boolean;
}

const NAMESPACE_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `diff`'s arguments; throws UsageError with the fix for anything wrong. */
export function parseDiffArguments(argv: readonly string[]): DiffArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        namespace: { type: 'string', short: 'n', default: 'default' },
        output: { type: 'string', short: 'o', default: DIFF_OUTPUT_FORMATS[0] },
        'fail-on-new-allow': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const output = values.output as DiffOutputFormat;
  if (!DIFF_OUTPUT_FORMATS.includes(output)) {
    throw new UsageError(`--output "${output}" is not a format. Use one of: ${DIFF_OUTPUT_FORMATS.join(', ')}.`);
  }
  const namespace = values.namespace;
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new UsageError(`--namespace "${namespace}" is not a namespace name. Use at most 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.`);
  }
  const help = values.help;
  if (!help && positionals.length !== 2) {
    const got = positionals.length === 0 ? '' : positionals.length === 1 ? `; got only one ("${positionals[0]}")` : `; got ${positionals.length}`;
    throw new UsageError(`give exactly two paths, BASE then HEAD (a manifest file or directory each)${got}. For example: eks-netpol diff main/dist/gitops branch/dist/gitops`);
  }
  if (!help && positionals[0] === '-' && positionals[1] === '-') {
    throw new UsageError('only one of BASE and HEAD can be - (standard input). Give the other as a file or directory.');
  }
  return { base: positionals[0], head: positionals[1], namespace, output, failOnNewAllow: values['fail-on-new-allow'], help };
}

/** Loads one side; on invalid input the loader's count line names the side and its path. */
function loadSide(side: 'BASE' | 'HEAD', given: string, namespace: string, io: CliIO): ClusterState | number {
  return loadOrReport([given], namespace, io, `diff: ${side} ${given}`);
}

/** The `diff` command: parse, load both sides (reporting the problems of each), compare, print. */
export const diff: Command = async (argv, io) => {
  const args = parseDiffArguments(argv);
  if (args.help) {
    io.stdout.write(DIFF_HELP);
    return EXIT.OK;
  }
  const base = loadSide('BASE', args.base, args.namespace, io);
  const head = loadSide('HEAD', args.head, args.namespace, io);
  if (typeof base === 'number' || typeof head === 'number') return EXIT.INVALID;

  const changes = diffClusters(base, head);
  const text = args.output === 'json' ? renderDiffJson(changes)
    : args.output === 'md' ? renderDiffMarkdown(changes)
      : renderDiffTable(changes, styleFor(io));
  io.stdout.write(text);
  return args.failOnNewAllow && changes.nowAllowed.length > 0 ? EXIT.FAILED : EXIT.OK;
};
