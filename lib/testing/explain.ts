/** Verdicts in words: why a connection is allowed or denied, one line per direction. */
import { DirectionVerdict, Verdict } from '../verdict/evaluate';
import { ClusterState } from '../model/types';

/** `http (8080/TCP)` for a named port, `8080/TCP` for a number. */
export function describePort(verdict: Verdict, asked: number | string): string {
  const numbered = `${verdict.port}/${verdict.protocol}`;
  return typeof asked === 'string' && !/^[0-9]+$/.test(asked) ? `${asked} (${numbered})` : numbered;
}

/** Both directions of a verdict, indented, one line each. */
export function explainVerdict(verdict: Verdict): string {
  if (verdict.self) return `  ${verdict.from} is ${verdict.to}: a pod identity always reaches itself.`;
  if (verdict.nodeLocal) return `  ${verdict.from} is the node of ${verdict.to}: a node always reaches its own pods (kubelet probes).`;
  const port = `${verdict.port}/${verdict.protocol}`;
  return [
    `  egress of ${verdict.from}: ${explainDirection(verdict.egress, 'egress', verdict.from, `${verdict.to} on ${port}`)}`,
    `  ingress of ${verdict.to}: ${explainDirection(verdict.ingress, 'ingress', verdict.to, `${verdict.from} on ${port}`)}`,
  ].join('\n');
}

function explainDirection(d: DirectionVerdict, direction: 'ingress' | 'egress', subject: string, peer: string): string {
  if (!d.isolated) {
    return subject.includes('/')
      ? `allowed: no policy selects ${subject} for ${direction}, so it is not isolated.`
      : `allowed: ${subject} is outside the cluster; no policy applies to its ${direction}.`;
  }
  if (d.allowed) return `allowed by ${d.rules.join(', ')}.`;
  return `denied: isolated by ${d.isolatedBy.join(', ')}, and no rule there admits ${peer}.`;
}

/** The pod identities of a cluster, for "did you mean" lines. */
export function podList(cluster: ClusterState): string {
  const ids = cluster.pods.map((p) => p.id).sort();
  return ids.length > 0 ? ids.join(', ') : '(none)';
}
