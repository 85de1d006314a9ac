/**
 * The reachability snapshot: one line per destination port listing who may connect, so a review reads
 * "shop/postgres:postgres 5432/TCP <- shop/api, shop/web" and the diff shows the one name that changed.
 */
import { ClusterState } from '../model/types';
import { ProbeQuery, Reachability } from '../verdict/reachability';

/** Which probes the snapshot makes: sources, destinations (pods or IPs) and ports. */
export type ReachabilitySnapshotOptions = ProbeQuery;

/**
 * The snapshot text. Sources allowed to reach a destination port are listed by id; `every other pod` when every
 * probed pod but the destination itself is allowed; `nobody` when none is. A pod reaching itself is not counted.
 */
export function reachabilityText(cluster: ClusterState, options: ReachabilitySnapshotOptions = {}): string {
  const result = new Reachability(cluster).probe(options);
  const sources = result.sources.map((s) => s.id);
  const lines: { key: string; text: string }[] = [];
  let probes = 0;
  let allowed = 0;
  const probedDestinations = new Set<string>();
  const podsByid = new Map(cluster.pods.map((p) => [p.id, p]));
  for (const grid of result.grids()) {
    grid.to.forEach((to, column) => {
      const admitted: string[] = [];
      let probed = 0;
      grid.from.forEach((from, row) => {
        const cell = grid.allowed[row][column];
        if (cell === undefined || from === to) return;
        probed++;
        if (cell) admitted.push(from);
      });
      if (probed === 0) return;
      probedDestinations.add(to);
      probes += probed;
      allowed += admitted.length;
      const name = podsByid.get(to)?.ports.find((p) => p.port === grid.port && p.protocol === grid.protocol)?.name;
      const target = `${to}:${name ? `${name} ` : ''}${grid.port}/${grid.protocol}`;
      const everyone = admitted.length === probed && probed === sources.filter((s) => s !== to).length && probed > 2;
      const who = admitted.length === 0 ? 'nobody' : everyone ? `every other pod (${probed})` : admitted.join(', ');
      lines.push({ key: `${to}\u0000${String(grid.port).padStart(5, '0')}/${grid.protocol}`, text: `${target} <- ${who}` });
    });
  }
  for (const destination of result.destinations) {
    if (!probedDestinations.has(destination.id)) {
      lines.push({ key: `${destination.id}\u0000`, text: `${destination.id}: no ports probed (it declares none)` });
    }
  }
  lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const header = `reachability: ${allowed} of ${probes} probes allowed (${sources.length} sources, ${result.destinations.length} destinations)`;
  return [header, ...lines.map((l) => l.text)].join('\n');
}
