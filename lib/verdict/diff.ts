/**
 * What a change to the manifests does to reachability: every connection between pod identities whose verdict
 * differs between two cluster states, with the rules behind each change. Pure: two ClusterStates in, a ClusterDiff
 * out. The verdicts come from the matrix engine and the reasons from evaluate.ts, exactly as `reach` gives them.
 *
 * The connections compared are those of `reach` without `--port`, taken over both states: every ordered pair of pod
 * identities, on every container port (and protocol) the destination declares in either state.
 * - Both ends in both states: compared. A port the destination declares in one state only is probed by number in
 *   the other, where the verdict is the policies' as ever (a named rule port does not resolve there).
 * - An end only in HEAD: the connection is new. It is listed as newly allowed when HEAD allows it, since it is
 *   access that did not exist; a new connection that HEAD denies is not a change.
 * - An end only in BASE: the connection is gone with its workload and is not listed as denied.
 * The identities only in one state are listed apart. Addresses outside the cluster are not probed; policies whose
 * ipBlock rules differ are named instead.
 */
import { formatSelector } from '../model/selector';
import { Cidr, ClusterState, NetworkPolicy, PolicyRule, Protocol } from '../model/types';
import { Endpoint } from './endpoint';
import { DirectionVerdict, Verdict } from './evaluate';
import { computeMatrix, MatrixCell } from './matrix';
import { comparePorts, portKey, ResolvedPort } from './ports';
import { compareIds, Reachability } from './reachability';

/** The verdict a connection has in HEAD, having had the other one in BASE (or not existing there). */
export type ChangeKind = 'allowed' | 'denied';

/** One direction of a changed connection that explains the change: it flipped, or it decides a new connection. */
export interface DirectionChange {
  readonly direction: 'egress' | 'ingress';
  /** The direction's verdict in BASE; undefined for a new connection. */
  readonly base?: DirectionVerdict;
  /** The direction's verdict in HEAD. */
  readonly head: DirectionVerdict;
}

/** A connection whose verdict differs between BASE and HEAD. */
export interface ConnectionChange {
  /** `namespace/name` of the source. */
  readonly from: string;
  /** `namespace/name` of the destination. */
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** `allowed`: denied in BASE (or new), allowed in HEAD. `denied`: allowed in BASE, denied in HEAD. */
  readonly change: ChangeKind;
  /** True when an end exists only in HEAD, so the connection did not exist in BASE. */
  readonly new: boolean;
  /** The full BASE verdict, with reasons; undefined for a new connection. */
  readonly base?: Verdict;
  /** The full HEAD verdict, with reasons. */
  readonly head: Verdict;
  /**
   * The directions behind the change. Newly allowed: each direction that denied in BASE (both, for a new
   * connection), with the HEAD rules that now admit it. Newly denied: each direction that denies in HEAD, with the
   * BASE rules that used to admit it and the HEAD policies that now isolate it.
   */
  readonly causes: readonly DirectionChange[];
}

/** Everything that changes between BASE and HEAD. */
export interface ClusterDiff {
  /** Connections probed in both states (both ends in both). */
  readonly compared: number;
  /** Connections probed in HEAD only (an end only in HEAD), allowed or not. */
  readonly newConnections: number;
  /** Newly allowed connections, sorted by source, destination, port, protocol. */
  readonly nowAllowed: readonly ConnectionChange[];
  /** Newly denied connections, sorted the same way. */
  readonly nowDenied: readonly ConnectionChange[];
  /** Pod identities only in BASE, sorted. */
  readonly onlyInBase: readonly string[];
  /** Pod identities only in HEAD, sorted. */
  readonly onlyInHead: readonly string[];
  /**
   * NetworkPolicies (`namespace/name`) whose ipBlock rules differ between the states, or that have ipBlock rules
   * and exist in one state only. Traffic to or from addresses outside the cluster is not probed, so these are the
   * places to check by hand (`reach --from IP`, `--to IP` on each side).
   */
  readonly ipBlockPolicies: readonly string[];
}

/** True when nothing a reviewer needs to see changes: no connection changes and no ipBlock rule differs. */
export function isUnchanged(diff: ClusterDiff): boolean {
  return diff.nowAllowed.length === 0 && diff.nowDenied.length === 0 && diff.ipBlockPolicies.length === 0;
}

/**
 * Compares the reachability of two cluster states (BASE, before; HEAD, after) and returns every connection whose
 * verdict changes, with its reasons. See the module comment for which connections are compared.
 *
 * ```ts
 * const diff = diffClusters(loadCluster(['main/gitops']), loadCluster(['branch/gitops']));
 * diff.nowAllowed.map((c) => `${c.from} -> ${c.to} ${c.port}/${c.protocol}`);
 * ```
 */
export function diffClusters(base: ClusterState, head: ClusterState): ClusterDiff {
  const baseReach = new Reachability(base);
  const headReach = new Reachability(head);
  const baseIds = new Set(baseReach.podIds);
  const headIds = new Set(headReach.podIds);
  const common = headReach.podIds.filter((id) => baseIds.has(id));
  const onlyInHead = headReach.podIds.filter((id) => !baseIds.has(id));
  const onlyInBase = baseReach.podIds.filter((id) => !headIds.has(id));

  // HEAD's endpoints list the common ones first, in the same order as BASE's, so that the two matrices' cells (each
  // ordered by source index, destination index, port) merge in one pass.
  const headOrder = [...common, ...onlyInHead];
  const headEnds = headOrder.map((id) => headReach.endpoint(id));
  const baseEnds = common.map((id) => baseReach.endpoint(id));
  const baseCells = computeMatrix(base.policies, baseEnds, baseEnds).cells();
  const headCells = computeMatrix(head.policies, headEnds, headEnds).cells();
  const c = common.length;

  const nowAllowed: ConnectionChange[] = [];
  const nowDenied: ConnectionChange[] = [];
  let compared = 0;
  let newConnections = 0;
  const record = (change: ChangeKind, baseVerdict: Verdict | undefined, headVerdict: Verdict) => {
    (change === 'allowed' ? nowAllowed : nowDenied).push(connectionChange(change, baseVerdict, headVerdict));
  };
  const verdictIn = (reach: Reachability, cell: MatrixCell, ends: readonly Endpoint[]) =>
    reach.check(ends[cell.from].id, ends[cell.to].id, cell.port, cell.protocol);

  let b = baseCells.next();
  let h = headCells.next();
  while (!b.done || !h.done) {
    if (!h.done && (h.value.from >= c || h.value.to >= c)) {
      // An end only in HEAD: a new connection.
      newConnections++;
      if (h.value.allowed) {
        const verdict = verdictIn(headReach, h.value, headEnds);
        if (!verdict.self) record('allowed', undefined, verdict);
      }
      h = headCells.next();
      continue;
    }
    const order = b.done ? 1 : h.done ? -1 : compareCells(b.value, h.value);
    compared++;
    if (order === 0) {
      if (b.value!.allowed !== h.value!.allowed) {
        record(h.value!.allowed ? 'allowed' : 'denied', verdictIn(baseReach, b.value!, baseEnds), verdictIn(headReach, h.value!, headEnds));
      }
      b = baseCells.next();
      h = headCells.next();
    } else if (order < 0) {
      // A port the destination declares in BASE only: HEAD's verdict on that number.
      const cell = b.value!;
      const headVerdict = verdictIn(headReach, cell, baseEnds);
      if (headVerdict.allowed !== cell.allowed) record(headVerdict.allowed ? 'allowed' : 'denied', verdictIn(baseReach, cell, baseEnds), headVerdict);
      b = baseCells.next();
    } else {
      // A port the destination declares in HEAD only: BASE's verdict on that number.
      const cell = h.value!;
      const baseVerdict = verdictIn(baseReach, cell, headEnds);
      if (baseVerdict.allowed !== cell.allowed) record(cell.allowed ? 'allowed' : 'denied', baseVerdict, verdictIn(headReach, cell, headEnds));
      h = headCells.next();
    }
  }

  // A new source probed on the ports a common destination declares in BASE only: the merge saw those in BASE's
  // matrix, which has no new source.
  for (let j = 0; j < c; j++) {
    const declared = new Set(declaredPorts(headEnds[j]).map(portKey));
    const baseOnly = declaredPorts(baseEnds[j]).filter((p) => !declared.has(portKey(p)));
    for (const port of uniquePorts(baseOnly)) {
      for (let i = c; i < headEnds.length; i++) {
        newConnections++;
        const verdict = headReach.check(headEnds[i].id, headEnds[j].id, port.port, port.protocol);
        if (verdict.allowed) record('allowed', undefined, verdict);
      }
    }
  }

  nowAllowed.sort(compareChanges);
  nowDenied.sort(compareChanges);
  return {
    compared,
    newConnections,
    nowAllowed,
    nowDenied,
    onlyInBase,
    onlyInHead,
    ipBlockPolicies: ipBlockPolicyChanges(base.policies, head.policies),
  };
}

function connectionChange(change: ChangeKind, base: Verdict | undefined, head: Verdict): ConnectionChange {
  const directions = (['egress', 'ingress'] as const).filter((d) => (change === 'allowed' ? !base || !base[d].allowed : !head[d].allowed));
  return {
    from: head.from,
    to: head.to,
    port: head.port,
    protocol: head.protocol,
    change,
    new: base === undefined,
    base,
    head,
    causes: directions.map((direction) => ({ direction, base: base?.[direction], head: head[direction] })),
  };
}

function declaredPorts(endpoint: Endpoint): readonly ResolvedPort[] {
  return endpoint.kind === 'pod' ? endpoint.pod.ports : [];
}

/** The distinct ports of a list of container ports. */
function uniquePorts(ports: readonly ResolvedPort[]): ResolvedPort[] {
  return [...new Map(ports.map((p) => [portKey(p), { port: p.port, protocol: p.protocol }])).values()];
}

function compareCells(a: MatrixCell, b: MatrixCell): number {
  return a.from - b.from || a.to - b.to || comparePorts(a, b);
}

function compareChanges(a: ConnectionChange, b: ConnectionChange): number {
  return compareIds(a.from, b.from) || compareIds(a.to, b.to) || comparePorts(a, b);
}

/** The policies whose ipBlock rules (with the selection they apply to) differ between the two lists, sorted. */
function ipBlockPolicyChanges(base: readonly NetworkPolicy[], head: readonly NetworkPolicy[]): string[] {
  const shapes = (policies: readonly NetworkPolicy[]) => new Map(policies.map((p) => [p.id, ipBlockShape(p)]));
  const before = shapes(base);
  const after = shapes(head);
  const ids = new Set([...before.keys(), ...after.keys()]);
  return [...ids].filter((id) => before.get(id) !== after.get(id)).sort(compareIds);
}

/**
 * A canonical text of what a policy says about addresses outside the cluster: its selection and types, and its
 * rules that name an ipBlock (only those peers, with the rule's ports). Undefined when it names no ipBlock.
 */
function ipBlockShape(policy: NetworkPolicy): string | undefined {
  const cidr = (c: Cidr) => c.text;
  const rules = (list: readonly PolicyRule[]) => list.flatMap((rule) => {
    const blocks = (rule.peers ?? []).flatMap((peer) => (peer.ipBlock ? [{ cidr: cidr(peer.ipBlock.cidr), except: peer.ipBlock.except.map(cidr) }] : []));
    return blocks.length > 0 ? [{ blocks, ports: rule.ports ?? null }] : [];
  });
  const ingress = policy.policyTypes.includes('Ingress') ? rules(policy.ingress) : [];
  const egress = policy.policyTypes.includes('Egress') ? rules(policy.egress) : [];
  if (ingress.length === 0 && egress.length === 0) return undefined;
  return JSON.stringify({ podSelector: formatSelector(policy.podSelector), policyTypes: [...policy.policyTypes].sort(), ingress, egress });
}
