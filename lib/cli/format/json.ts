import { DirectionVerdict, Verdict } from '../../verdict/evaluate';
import { Formatter } from './types';

/** One direction of a probe in the JSON contract. */
export interface DirectionJson {
  readonly isolated: boolean;
  readonly allowedBy: readonly string[];
  /** With `--explain`: the policies that isolate the endpoint in this direction. */
  readonly isolatedBy?: readonly string[];
  /** With `--explain`: the admitting rules, `namespace/name ingress[0]`. */
  readonly rules?: readonly string[];
  /** With `--explain`: is this direction allowed on its own. */
  readonly allowed?: boolean;
}

/** One probe in the JSON contract of `reach --output json` (documented in the README). */
export interface ProbeJson {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly allowed: boolean;
  readonly egress: DirectionJson;
  readonly ingress: DirectionJson;
  /** With `--explain`: source and destination are the same pod identity (always allowed). */
  readonly self?: boolean;
  /** With `--explain`: the source is the destination's own node, or a hostNetwork pod on it (always allowed). */
  readonly nodeLocal?: boolean;
}

function directionJson(direction: DirectionVerdict, explain: boolean): DirectionJson {
  const base = { isolated: direction.isolated, allowedBy: direction.allowedBy };
  if (!explain) return base;
  return { ...base, isolatedBy: direction.isolatedBy, rules: direction.rules, allowed: direction.allowed };
}

/**
 * A verdict as the stable JSON contract: the fields of the contract in their documented order, then, with
 * `explain`, the extra fields (`self`; per direction `isolatedBy`, `rules`, `allowed`).
 */
export function probeJson(verdict: Verdict, explain = false): ProbeJson {
  const base = {
    from: verdict.from,
    to: verdict.to,
    port: verdict.port,
    protocol: verdict.protocol,
    allowed: verdict.allowed,
    egress: directionJson(verdict.egress, explain),
    ingress: directionJson(verdict.ingress, explain),
  };
  return explain ? { ...base, self: verdict.self, nodeLocal: verdict.nodeLocal } : base;
}

/**
 * `{"probes":[...],"summary":{...}}` with one probe a line, written as the verdicts are produced, so the output
 * streams and diffs well.
 */
export const writeJson: Formatter = async (result, sink, { explain }) => {
  sink.push('{"probes":[');
  // Counted here rather than read from result.summary, which would compute the matrix a second time.
  let probes = 0;
  let allowed = 0;
  for (const verdict of result.verdicts()) {
    if (sink.closed) return probes;
    const line = `${probes === 0 ? '\n' : ',\n'}${JSON.stringify(probeJson(verdict, explain))}`;
    probes++;
    if (verdict.allowed) allowed++;
    if (sink.push(line)) await sink.flush();
  }
  const summary = { probes, allowed, denied: probes - allowed };
  sink.push(`${probes === 0 ? '' : '\n'}],"summary":${JSON.stringify(summary)}}\n`);
  await sink.flush();
  return probes;
};
