import { DirectionVerdict, Verdict } from '../../verdict/evaluate';
import { Style } from './style';
import { Formatter } from './types';

/** Wide enough for `65535/SCTP`, the longest port column, so that widths never depend on every verdict. */
const PORT_WIDTH = 10;
const GAP = '  ';

/** Why one direction allowed or denied, in a sentence; `endpoint` is the end this direction isolates. */
export function explainDirection(direction: DirectionVerdict, endpoint: string): string {
  if (endpoint === 'node' || endpoint.startsWith('node/')) return 'not isolated: a node is never selected by a policy';
  // Pod identities are namespace/name; anything else is an IP address outside the cluster.
  if (!endpoint.includes('/')) return 'not isolated: an address outside the cluster is never selected by a policy';
  if (!direction.isolated) return 'not isolated: no policy selects it for this direction';
  const isolated = `isolated by ${direction.isolatedBy.join(', ')}`;
  if (direction.rules.length === 0) return `${isolated}; no rule admits this probe`;
  return `${isolated}; allowed by ${direction.rules.join(', ')}`;
}

/** The reason lines under a table row. */
export function explainVerdict(verdict: Verdict, style: Style): string {
  const mark = (d: DirectionVerdict) => (d.allowed ? style.good('allows') : style.bad('denies'));
  const lines = [
    `    egress   ${mark(verdict.egress)}  ${explainDirection(verdict.egress, verdict.from)}`,
    `    ingress  ${mark(verdict.ingress)}  ${explainDirection(verdict.ingress, verdict.to)}`,
  ];
  if (verdict.self) lines.push(`    ${style.good('allowed')}: a Pod may always reach itself`);
  else if (verdict.nodeLocal) lines.push(`    ${style.good('allowed')}: traffic from a node to its own pods (kubelet probes) is always allowed`);
  else if (verdict.from === verdict.to) lines.push('    a workload against itself: traffic between its replicas, which the policies decide');
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * One row a probe: FROM, TO, PORT, VERDICT, aligned on the longest endpoint name (known from the endpoints alone),
 * then a count line. `--explain` adds the reasons under each row.
 */
export const writeTable: Formatter = async (result, sink, { explain, style }) => {
  const fromWidth = Math.max(4, ...result.sources.map((s) => s.id.length));
  const toWidth = Math.max(2, ...result.destinations.map((d) => d.id.length));
  const row = (from: string, to: string, port: string, verdict: string) =>
    `${from.padEnd(fromWidth)}${GAP}${to.padEnd(toWidth)}${GAP}${port.padEnd(PORT_WIDTH)}${GAP}${verdict}\n`;

  sink.push(style.bold(row('FROM', 'TO', 'PORT', 'VERDICT').trimEnd()) + '\n');
  // Counted here rather than read from result.summary, which would compute the matrix a second time.
  let probes = 0;
  let allowed = 0;
  for (const verdict of result.verdicts()) {
    if (sink.closed) return probes;
    probes++;
    if (verdict.allowed) allowed++;
    const word = verdict.allowed ? style.good('allowed') : style.bad('denied');
    let text = row(verdict.from, verdict.to, `${verdict.port}/${verdict.protocol}`, word);
    if (explain) text += explainVerdict(verdict, style);
    if (sink.push(text)) await sink.flush();
  }
  sink.push(`\n${probes} ${probes === 1 ? 'probe' : 'probes'}: ${allowed} allowed, ${probes - allowed} denied\n`);
  await sink.flush();
  return probes;
};
