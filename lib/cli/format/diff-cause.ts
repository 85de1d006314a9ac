import { ClusterDiff, ConnectionChange, DirectionChange } from '../../verdict/diff';

/**
 * Why one direction makes a connection change, in a clause: the HEAD rules that admit a newly allowed connection,
 * or the BASE rules that admitted a newly denied one and the HEAD policies that now isolate it.
 */
export function describeCause(change: ConnectionChange, cause: DirectionChange): string {
  const { base, head } = cause;
  if (change.change === 'allowed') {
    if (head.rules.length > 0) return `allowed by ${head.rules.join(', ')}`;
    return base ? `no longer isolated (was isolated by ${base.isolatedBy.join(', ')})` : 'not isolated';
  }
  let before: string;
  if (change.base?.self) before = 'was allowed as a Pod reaching itself';
  else if (base && base.rules.length > 0) before = `was allowed by ${base.rules.join(', ')}`;
  else before = 'was not isolated';
  return `${before}; now isolated by ${head.isolatedBy.join(', ')}, and no rule admits it`;
}

/** `direction: clause` for every cause of a change, for one-line renderings. */
export function causeClauses(change: ConnectionChange): string[] {
  return change.causes.map((cause) => `${cause.direction}: ${describeCause(change, cause)}`);
}

/** "1 connection" or "2 connections". */
export function connections(count: number): string {
  return `${count} ${count === 1 ? 'connection' : 'connections'}`;
}

/** The one-line summary: `2 connections newly allowed, 1 newly denied`, or that nothing changes. */
export function diffHeadline(diff: ClusterDiff): string {
  const allowed = diff.nowAllowed.length;
  const denied = diff.nowDenied.length;
  if (allowed + denied === 0) return 'No connection changes';
  return `${connections(allowed)} newly allowed, ${denied} newly denied`;
}

/** How many connections were looked at: `20 connections compared`, plus the new ones when there are any. */
export function comparedLine(diff: ClusterDiff): string {
  const added = diff.newConnections > 0 ? `, ${connections(diff.newConnections)} new in HEAD` : '';
  return `${connections(diff.compared)} compared${added}`;
}

/** The notes under a report: identities in one state only, and ipBlock rules that were not probed. */
export function diffNotes(diff: ClusterDiff, code: (text: string) => string = (t) => t): string[] {
  const list = (ids: readonly string[]) => ids.map(code).join(', ');
  const notes: string[] = [];
  if (diff.onlyInHead.length > 0) notes.push(`Only in HEAD: ${list(diff.onlyInHead)}`);
  if (diff.onlyInBase.length > 0) notes.push(`Only in BASE: ${list(diff.onlyInBase)}`);
  if (diff.ipBlockPolicies.length > 0) {
    notes.push(`Not probed: the ipBlock rules of ${list(diff.ipBlockPolicies)} differ, and addresses outside the cluster are not compared. Check them with ${code('eks-netpol reach --from IP')} or ${code('--to IP')} on each side`);
  }
  return notes;
}
