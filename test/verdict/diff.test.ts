import { generateCluster } from '../../bench/reach/generate';
import { parseManifests } from '../../lib/manifests';
import { ClusterState, PodIdentity } from '../../lib/model/types';
import { diffClusters, isUnchanged } from '../../lib/verdict/diff';
import { Reachability } from '../../lib/verdict/reachability';

function cluster(seed: number): ClusterState {
  const { cluster: parsed, problems } = parseManifests(generateCluster({ pods: 40, policies: 30, namespaces: 4, seed }), 'generated.yaml');
  expect(problems).toEqual([]);
  return parsed;
}

/**
 * The changes worked out one probe at a time with Reachability.check (evaluate.ts), never the matrix engine: every
 * pair of HEAD identities on every port the destination declares on either side.
 */
function oracle(base: ClusterState, head: ClusterState) {
  const before = new Reachability(base);
  const after = new Reachability(head);
  const inBase = new Set(before.podIds);
  const ports = new Map<string, Map<string, [number, PodIdentity['ports'][number]['protocol']]>>();
  for (const pod of [...base.pods, ...head.pods]) {
    const map = ports.get(pod.id) ?? new Map();
    for (const p of pod.ports) map.set(`${p.port}/${p.protocol}`, [p.port, p.protocol]);
    ports.set(pod.id, map);
  }
  const allowed: string[] = [];
  const denied: string[] = [];
  let compared = 0;
  let fresh = 0;
  for (const from of after.podIds) {
    for (const to of after.podIds) {
      for (const [key, [port, protocol]] of ports.get(to)!) {
        const now = after.check(from, to, port, protocol);
        if (!inBase.has(from) || !inBase.has(to)) {
          fresh++;
          if (now.allowed && !now.self) allowed.push(`${from} -> ${to} ${key}`);
          continue;
        }
        compared++;
        const was = before.check(from, to, port, protocol).allowed;
        if (was && !now.allowed) denied.push(`${from} -> ${to} ${key}`);
        if (!was && now.allowed) allowed.push(`${from} -> ${to} ${key}`);
      }
    }
  }
  return { allowed: allowed.sort(), denied: denied.sort(), compared, fresh };
}

const names = (list: readonly { from: string; to: string; port: number; protocol: string }[]) =>
  list.map((c) => `${c.from} -> ${c.to} ${c.port}/${c.protocol}`);

describe('diffClusters', () => {
  test('finds the same changes as probing every connection one at a time, when policies, pods and ports change', () => {
    const base = cluster(7);
    const head: ClusterState = {
      ...base,
      // Drop every third policy, drop two pods, add one pod from another cluster, and move ports on a few.
      policies: base.policies.filter((_, i) => i % 3 !== 1),
      pods: [
        ...base.pods.filter((_, i) => i !== 3 && i !== 11).map((pod, i) => (i % 5 === 0
          ? { ...pod, ports: [...pod.ports.slice(1), { name: 'extra', port: 7000 + i, protocol: 'TCP' as const }] }
          : pod)),
        { ...cluster(8).pods[0], id: `${base.pods[0].namespace}/newcomer`, namespace: base.pods[0].namespace, name: 'newcomer' },
      ],
    };
    const diff = diffClusters(base, head);
    const expected = oracle(base, head);
    expect(expected.allowed.length + expected.denied.length).toBeGreaterThan(0);
    expect(names(diff.nowAllowed).sort()).toEqual(expected.allowed);
    expect(names(diff.nowDenied).sort()).toEqual(expected.denied);
    expect(diff.compared).toBe(expected.compared);
    expect(diff.newConnections).toBe(expected.fresh);
    expect(diff.onlyInBase).toEqual([base.pods[3].id, base.pods[11].id].sort());
    expect(diff.onlyInHead).toEqual([`${base.pods[0].namespace}/newcomer`]);
  });

  test('lists changes sorted by source, destination, port and protocol, each with a cause', () => {
    const base = cluster(3);
    const diff = diffClusters(base, { ...base, policies: base.policies.slice(0, base.policies.length / 2) });
    for (const list of [diff.nowAllowed, diff.nowDenied]) {
      const keys = list.map((c) => [c.from, c.to, c.port, c.protocol] as const);
      const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0)));
      expect(keys).toEqual(sorted);
      for (const change of list) expect(change.causes.length).toBeGreaterThan(0);
    }
    expect(diff.nowAllowed.length).toBeGreaterThan(0);
  });

  test('a cluster compared with itself is unchanged', () => {
    const base = cluster(5);
    const diff = diffClusters(base, base);
    expect(isUnchanged(diff)).toBe(true);
    expect(diff.compared).toBeGreaterThan(0);
    expect(diff.newConnections).toBe(0);
  });

  test('names the policies whose ipBlock rules differ, and only those', () => {
    const base = cluster(9);
    const target = base.policies.find((p) => p.ingress.some((r) => r.peers?.some((peer) => peer.ipBlock)));
    expect(target).toBeDefined();
    const head: ClusterState = {
      ...base,
      policies: base.policies.map((p) => (p === target ? { ...p, ingress: p.ingress.filter((r) => !r.peers?.some((peer) => peer.ipBlock)) } : p)),
    };
    expect(diffClusters(base, head).ipBlockPolicies).toEqual([target!.id]);
  });
});
