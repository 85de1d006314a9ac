import { DirectionVerdict } from '../../verdict/evaluate';
import { ClusterDiff, ConnectionChange } from '../../verdict/diff';

/** One direction of a cause in the JSON contract of `diff --output json` (documented in the README). */
export interface DiffDirectionJson {
  readonly isolated: boolean;
  readonly isolatedBy: readonly string[];
  readonly rules: readonly string[];
  readonly allowed: boolean;
}

/** One changed connection in the JSON contract of `diff --output json`. */
export interface ConnectionChangeJson {
  readonly change: 'allowed' | 'denied';
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly new: boolean;
  readonly causes: readonly {
    readonly direction: 'egress' | 'ingress';
    readonly base: DiffDirectionJson | null;
    readonly head: DiffDirectionJson;
  }[];
}

function directionJson(d: DirectionVerdict): DiffDirectionJson {
  return { isolated: d.isolated, isolatedBy: d.isolatedBy, rules: d.rules, allowed: d.allowed };
}

/** A change as the stable JSON contract: its fields in their documented order. */
export function connectionChangeJson(change: ConnectionChange): ConnectionChangeJson {
  return {
    change: change.change,
    from: change.from,
    to: change.to,
    port: change.port,
    protocol: change.protocol,
    new: change.new,
    causes: change.causes.map((c) => ({ direction: c.direction, base: c.base ? directionJson(c.base) : null, head: directionJson(c.head) })),
  };
}

/**
 * `diff --output json`: one document, one change a line (newly allowed first), then the identities in one state
 * only, the policies whose ipBlock rules differ, and the counts.
 */
export function renderDiffJson(diff: ClusterDiff): string {
  const changes = [...diff.nowAllowed, ...diff.nowDenied].map((c) => JSON.stringify(connectionChangeJson(c)));
  const rest = {
    onlyInBase: diff.onlyInBase,
    onlyInHead: diff.onlyInHead,
    ipBlockPolicies: diff.ipBlockPolicies,
    summary: { compared: diff.compared, newConnections: diff.newConnections, nowAllowed: diff.nowAllowed.length, nowDenied: diff.nowDenied.length },
  };
  const list = changes.length === 0 ? '' : `\n${changes.join(',\n')}\n`;
  return `{"changes":[${list}],${JSON.stringify(rest).slice(1)}\n`;
}
