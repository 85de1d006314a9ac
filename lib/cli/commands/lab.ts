/**
 * `eks-netpol lab [PATH...]` (root): enforce the manifests' policies with our eBPF programs in network namespaces,
 * make real connections for every probe, and report where the kernel disagrees with `reach`.
 */
import { LabResult, LabSession, LabUnavailableError } from '../../lab/lab';
import { Reachability } from '../../verdict/reachability';
import { probeJson } from '../format/json';
import { Style, styleFor } from '../format/style';
import { Command, EXIT, UsageError } from '../io';
import { loadOrReport } from '../load';
import { parseProbeArgs, resolveQueryOrReport } from '../probe-args';

export const LAB_HELP = `Usage: eks-netpol lab [options] PATH...

Proves in the kernel what 'eks-netpol reach' predicts. Builds a network namespace per pod identity (addresses from
status.podIP, or assigned from 10.244.0.0/16), joined to a node namespace by veth pairs; enforces the manifests'
policies with the eks-netpol eBPF programs on the host-side veths; listens on every probed port (TCP and UDP) and
connects for every probe. Everything it creates is removed on exit, on Ctrl-C and on failure. Needs root and bpffs.

Options: as 'eks-netpol reach' (--from, --to, --port, -n/--namespace), and:
  -o, --output FORMAT      table or json. Default: table.
  --mode MODE              standard or strict (pods default-deny until programmed). Default: standard.
  --timeout MS             How long a probe waits for its connection or UDP echo. Default: 1000.
  -h, --help               Print this help.

Every probe gets "observed": true (the connection was made), false (it was not), or null (the lab cannot make
it: SCTP, which this kernel has no sockets for, or a workload probed against itself, which stands for traffic
between two of its replicas while the lab gives each identity one namespace). The summary counts "mismatches": observed verdicts that differ from the predicted ones.

Exit status: 0 when the kernel agrees with every prediction, 1 on any mismatch or internal error, 2 on invalid
input or when the lab cannot run here (not root, no bpffs).
`;

export const lab: Command = async (argv, io) => {
  const args = parseProbeArgs(argv, {
    outputs: ['table', 'json'] as const,
    explainOutputs: ['json'],
    extraOptions: { mode: { type: 'string' }, timeout: { type: 'string' } },
  });
  if (args.help) {
    io.stdout.write(LAB_HELP);
    return EXIT.OK;
  }
  const mode = (args.extra.mode as string | undefined) ?? 'standard';
  if (mode !== 'standard' && mode !== 'strict') throw new UsageError(`--mode must be standard or strict, not "${mode}".`);
  const timeoutText = (args.extra.timeout as string | undefined) ?? '1000';
  const timeoutMs = Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError(`--timeout must be a whole number of milliseconds, not "${timeoutText}".`);

  const cluster = loadOrReport(args.paths, args.namespace, io, 'lab');
  if (typeof cluster === 'number') return cluster;
  const query = resolveQueryOrReport('lab', args, new Reachability(cluster), io);
  if (typeof query === 'number') return query;
  const fromNodes = (query.from ?? []).filter((id) => id === 'node' || id.startsWith('node/'));
  if (fromNodes.length > 0) {
    io.stderr.write(`eks-netpol lab: --from ${fromNodes.join(', ')}: the lab probes from pods and outside addresses only; use eks-netpol reach for a node's verdicts.\n`);
    return EXIT.INVALID;
  }

  let session: LabSession;
  try {
    session = new LabSession({ query, mode, timeoutMs });
  } catch (error) {
    if (!(error instanceof LabUnavailableError)) throw error;
    io.stderr.write(`eks-netpol lab: ${error.message}\n`);
    return EXIT.INVALID;
  }
  // Ctrl-C and kill still remove everything; a SIGKILLed run is cleaned up by the next run.
  const interrupted = (signal: NodeJS.Signals) => {
    session.close();
    io.stderr.write(`eks-netpol lab: stopped by ${signal}; everything the run created was removed.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let result: LabResult;
  try {
    result = await session.run(cluster);
  } catch (error) {
    if (!(error instanceof LabUnavailableError)) throw error;
    io.stderr.write(`eks-netpol lab: ${error.message}\n`);
    return EXIT.INVALID;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    const leftovers = session.close();
    for (const leftover of leftovers) io.stderr.write(`eks-netpol lab: could not remove ${leftover}\n`);
  }

  if (args.output === 'json') {
    io.stdout.write(`${JSON.stringify({
      probes: result.probes.map((p) => ({ ...probeJson(p, args.explain), observed: p.observed })),
      summary: result.summary,
    }, null, 2)}\n`);
  } else {
    io.stdout.write(labTable(result, styleFor(io)));
  }
  return result.summary.mismatches === 0 ? EXIT.OK : EXIT.FAILED;
};

/** One row a probe: predicted and observed side by side, mismatches marked. */
function labTable(result: LabResult, style: Style): string {
  const verdict = (v: boolean | null) => (v === null ? 'n/a' : v ? 'allowed' : 'denied');
  const rows = result.probes.map((p) => [p.from, p.to, `${p.port}/${p.protocol}`, verdict(p.allowed), verdict(p.observed),
    p.observed === null ? 'not probed' : p.observed === p.allowed ? 'ok' : 'MISMATCH']);
  const header = ['FROM', 'TO', 'PORT', 'PREDICTED', 'OBSERVED', ''];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const body = rows.map((r) => {
    const text = line(r);
    return r[5] === 'MISMATCH' ? style.bad(text) : r[5] === 'ok' ? text : style.dim(text);
  });
  const s = result.summary;
  return `${style.bold(line(header))}\n${body.join('\n')}\n\n${s.probes} probes: ${s.allowed} allowed, ${s.denied} denied predicted; ${s.mismatches} ${s.mismatches === 1 ? 'mismatch' : 'mismatches'}.\n`;
}
