/**
 * Properties of the engine over random valid clusters (arbitraries.ts), with fixed seeds and bounded runs so the file
 * stays fast and a failure reproduces: the engine never crashes; adding an allowance never removes a connection; and
 * the bitset matrix (`probe()`) equals the reference evaluation pair by pair (`check()`).
 */
import fc from 'fast-check';
import { selectorMatches } from '../../lib/model/selector';
import { ClusterState, NetworkPolicy, PolicyRule, PolicyType } from '../../lib/model/types';
import { Verdict } from '../../lib/verdict/evaluate';
import { PortQuery, ProbeResult, Reachability } from '../../lib/verdict/reachability';
import { clusterState, clusterStateOf, EXTERNAL_ADDRESSES, NUMERIC_PROBES, peer, policyDraft, policyIn, policyPort, rule } from './arbitraries';
import { clusterOf } from './load';
import { toObjects } from './to-objects';

/** Runs per property: enough to reach the corners of the small vocabularies, few enough for a few seconds. */
const RUNS = { numRuns: 80 };
/** The exhaustive pairwise comparison probes every endpoint pair on every port: fewer, larger runs. */
const PAIRWISE_RUNS = { numRuns: 40 };

/** Every pod identity and a few external addresses. */
function endpointsOf(cluster: ClusterState): string[] {
  return [...cluster.pods.map((p) => p.id), ...EXTERNAL_ADDRESSES];
}

/** The numeric probes, plus each container port name some pod declares (probed where it resolves). */
function portsOf(cluster: ClusterState): PortQuery[] {
  const names = [...new Set(cluster.pods.flatMap((p) => p.ports.flatMap((port) => (port.name ? [port.name] : []))))].sort();
  return [...NUMERIC_PROBES, ...names.map((port) => ({ port }))];
}

/** Every probed cell, `from>to port/protocol` to its verdict. */
function cellsOf(result: ProbeResult): Map<string, boolean> {
  const cells = new Map<string, boolean>();
  for (const grid of result.grids()) {
    grid.allowed.forEach((row, r) => row.forEach((cell, c) => {
      if (cell !== undefined) cells.set(`${grid.from[r]}>${grid.to[c]} ${grid.port}/${grid.protocol}`, cell);
    }));
  }
  return cells;
}

/** `from>to port/protocol` of every allowed probe. */
function allowedSet(result: ProbeResult): Set<string> {
  return new Set([...cellsOf(result)].filter(([, allowed]) => allowed).map(([probe]) => probe));
}

function probeAll(cluster: ClusterState): ProbeResult {
  const endpoints = endpointsOf(cluster);
  return new Reachability(cluster).probe({ from: endpoints, to: endpoints, ports: portsOf(cluster) });
}

/** Asserts that every connection allowed before is allowed after. */
function expectNoConnectionLost(before: ClusterState, after: ClusterState): void {
  const allowedAfter = allowedSet(probeAll(after));
  const lost = [...allowedSet(probeAll(before))].filter((probe) => !allowedAfter.has(probe));
  expect(lost).toEqual([]);
}

function isolated(cluster: ClusterState, type: PolicyType, pod: ClusterState['pods'][number]): boolean {
  return cluster.policies.some((p) => p.policyTypes.includes(type) && selects(p, pod));
}

function selects(policy: NetworkPolicy, pod: ClusterState['pods'][number]): boolean {
  return policy.namespace === pod.namespace && selectorMatches(policy.podSelector, pod.labels);
}

describe('the engine over random valid clusters', () => {
  test('never crashes: default probes, explicit probes, verdicts with reasons and single checks all complete', () => {
    fc.assert(fc.property(clusterState, (cluster) => {
      const reach = new Reachability(cluster);
      const all = reach.probe();
      expect(all.summary.probes).toBe(all.summary.allowed + all.summary.denied);
      expect([...all.verdicts()]).toHaveLength(all.summary.probes);
      const explicit = probeAll(cluster);
      expect(explicit.grids().length).toBeGreaterThan(0);
      for (const from of endpointsOf(cluster)) reach.check(from, cluster.pods[0].id, 80, 'TCP');
    }), { ...RUNS, seed: 20261128 });
  });

  test('the matrix equals the pair-by-pair evaluation on every declared port, with matching counts', () => {
    fc.assert(fc.property(clusterState, (cluster) => {
      const reach = new Reachability(cluster);
      const result = reach.probe();
      const mismatches: string[] = [];
      let probes = 0;
      let allowed = 0;
      for (const grid of result.grids()) {
        grid.to.forEach((to, c) => {
          const declares = cluster.pods.find((p) => p.id === to)!.ports.some((p) => p.port === grid.port && p.protocol === grid.protocol);
          grid.from.forEach((from, r) => {
            const cell = grid.allowed[r][c];
            const probe = `${from}>${to} ${grid.port}/${grid.protocol}`;
            if ((cell !== undefined) !== declares) mismatches.push(`${probe}: probed ${cell !== undefined}, declared ${declares}`);
            if (cell === undefined) return;
            probes++;
            if (cell) allowed++;
            const reference = reach.check(from, to, grid.port, grid.protocol).allowed;
            if (cell !== reference) mismatches.push(`${probe}: matrix ${cell}, check ${reference}`);
          });
        });
      }
      expect(mismatches).toEqual([]);
      expect(result.summary).toEqual({ probes, allowed, denied: probes - allowed });
    }), { ...RUNS, seed: 1 });
  });

  test('the matrix equals the pair-by-pair evaluation for explicit ports, named ports and external addresses', () => {
    fc.assert(fc.property(clusterState, (cluster) => {
      const reach = new Reachability(cluster);
      const endpoints = endpointsOf(cluster);
      const ports = portsOf(cluster);
      const result = reach.probe({ from: endpoints, to: endpoints, ports });
      const fromGrids = new Map<string, boolean>();
      for (const grid of result.grids()) {
        grid.allowed.forEach((row, r) => row.forEach((cell, c) => {
          if (cell !== undefined) fromGrids.set(`${grid.from[r]}>${grid.to[c]} ${grid.port}/${grid.protocol}`, cell);
        }));
      }
      const pairwise = new Map<string, boolean>();
      const reasons = new Map<string, Verdict>();
      for (const from of endpoints) {
        for (const to of endpoints) {
          const destination = cluster.pods.find((p) => p.id === to);
          for (const q of ports) {
            // A name is probed only where the destination declares it.
            if (typeof q.port === 'string' && !destination?.ports.some((p) => p.name === q.port)) continue;
            const verdict = reach.check(from, to, q.port, q.protocol);
            pairwise.set(`${from}>${to} ${verdict.port}/${verdict.protocol}`, verdict.allowed);
            reasons.set(`${from}>${to} ${verdict.port}/${verdict.protocol}`, verdict);
          }
        }
      }
      expect(Object.fromEntries([...fromGrids].sort())).toEqual(Object.fromEntries([...pairwise].sort()));
      // The matrix's verdicts carry the same reasons as single checks, not only the same answers.
      const verdicts = [...result.verdicts()];
      expect(verdicts.map((v) => [`${v.from}>${v.to} ${v.port}/${v.protocol}`, v.allowed]).sort()).toEqual([...pairwise].sort());
      const differing = verdicts.filter((v) => JSON.stringify(v) !== JSON.stringify(reasons.get(`${v.from}>${v.to} ${v.port}/${v.protocol}`)));
      expect(differing).toEqual([]);
      expect(result.summary.allowed).toBe([...pairwise.values()].filter(Boolean).length);
    }), { ...PAIRWISE_RUNS, seed: 2 });
  });

  test('probing a subset of sources and destinations gives the same cells as probing everything', () => {
    fc.assert(fc.property(clusterState, fc.infiniteStream(fc.boolean()), (cluster, coin) => {
      const endpoints = endpointsOf(cluster);
      const everything = cellsOf(probeAll(cluster));
      const from = endpoints.filter(() => coin.next().value);
      const to = endpoints.filter(() => coin.next().value);
      fc.pre(from.length > 0 && to.length > 0);
      const ports = portsOf(cluster).filter((q) => typeof q.port === 'number' || to.some((id) => cluster.pods.find((p) => p.id === id)?.ports.some((p) => p.name === q.port)));
      const subset = cellsOf(new Reachability(cluster).probe({ from, to, ports }));
      expect(subset.size).toBeGreaterThan(0);
      const differing = [...subset].filter(([probe, allowed]) => everything.get(probe) !== allowed);
      expect(differing).toEqual([]);
    }), { ...RUNS, seed: 10 });
  });

  test('the order of policies, pods and namespaces in the input does not change any verdict', () => {
    const shuffled = clusterState.chain((cluster) => fc.record({
      cluster: fc.constant(cluster),
      namespaces: fc.shuffledSubarray([...cluster.namespaces], { minLength: cluster.namespaces.length }),
      pods: fc.shuffledSubarray([...cluster.pods], { minLength: cluster.pods.length }),
      policies: fc.shuffledSubarray([...cluster.policies], { minLength: cluster.policies.length }),
    }));
    fc.assert(fc.property(shuffled, ({ cluster, namespaces, pods, policies }) => {
      const reordered = { ...cluster, namespaces, pods, policies };
      expect(Object.fromEntries(cellsOf(probeAll(reordered)))).toEqual(Object.fromEntries(cellsOf(probeAll(cluster))));
    }), { ...RUNS, seed: 11 });
  });

  test('the matrix equals the pair-by-pair evaluation on clusters larger than one and two bitset words', () => {
    // 33 to 70 pods plus the external addresses: rows and columns cross the 32- and 64-bit word boundaries.
    const large = clusterStateOf({ minPods: 33, maxPods: 70, maxPolicies: 8 });
    const ports = [{ port: 80, protocol: 'TCP' as const }, { port: 53, protocol: 'UDP' as const }];
    fc.assert(fc.property(large, (cluster) => {
      const reach = new Reachability(cluster);
      const endpoints = endpointsOf(cluster);
      const mismatches: string[] = [];
      for (const grid of reach.probe({ from: endpoints, to: endpoints, ports }).grids()) {
        grid.from.forEach((from, r) => grid.to.forEach((to, c) => {
          const reference = reach.check(from, to, grid.port, grid.protocol).allowed;
          if (grid.allowed[r][c] !== reference) mismatches.push(`${from}>${to} ${grid.port}/${grid.protocol}: matrix ${grid.allowed[r][c]}, check ${reference}`);
        }));
      }
      expect(mismatches).toEqual([]);
    }), { numRuns: 12, seed: 9 });
  });

  test('written as Kubernetes objects and loaded back, a cluster loads without problems and gives the same verdicts', () => {
    fc.assert(fc.property(clusterState, (model) => {
      const loaded = clusterOf(toObjects(model));
      expect(loaded.pods.map((p) => p.id).sort()).toEqual(model.pods.map((p) => p.id).sort());
      expect(loaded.policies.map((p) => [p.id, p.policyTypes])).toEqual(model.policies.map((p) => [p.id, p.policyTypes]));
      expect(Object.fromEntries(cellsOf(probeAll(loaded)))).toEqual(Object.fromEntries(cellsOf(probeAll(model))));
    }), { ...RUNS, seed: 6 });
  });

  test('every equivalent spelling of the same policies loads to the same verdicts', () => {
    const spelling = fc.record({
      defaultPolicyTypes: fc.boolean(), dropIgnoredRules: fc.boolean(), emptyLists: fc.boolean(), defaultProtocol: fc.boolean(), hostBits: fc.boolean(),
    });
    fc.assert(fc.property(clusterState, spelling, (model, how) => {
      const explicit = cellsOf(probeAll(clusterOf(toObjects(model))));
      const respelled = cellsOf(probeAll(clusterOf(toObjects(model, how))));
      expect(Object.fromEntries(respelled)).toEqual(Object.fromEntries(explicit));
    }), { ...RUNS, seed: 7 });
  });

  test('adding a rule to an existing policy never removes an allowed connection', () => {
    const withPolicy = clusterState.filter((c) => c.policies.length > 0);
    fc.assert(fc.property(withPolicy, fc.nat(), fc.constantFrom('ingress' as const, 'egress' as const), rule, (before, pick, direction, extra) => {
      const index = pick % before.policies.length;
      const policies = before.policies.map((p, i) => (i === index ? { ...p, [direction]: [...p[direction], extra] } : p));
      expectNoConnectionLost(before, { ...before, policies });
    }), { ...RUNS, seed: 3 });
  });

  test('adding a peer to a rule that lists peers, or a port to a rule that lists ports, never removes an allowed connection', () => {
    // Only to a list that exists: an absent list means "every peer" or "every port", and giving it one entry narrows it.
    const withRule = clusterState.filter((c) => c.policies.some((p) => p.ingress.length + p.egress.length > 0));
    const widening = fc.oneof(peer.map((p) => ({ peer: p })), policyPort.map((p) => ({ port: p })));
    fc.assert(fc.property(withRule, fc.nat(), widening, (before, pick, extra) => {
      const rules = before.policies.flatMap((p, i) => [
        ...p.ingress.map((_r, j) => ({ policy: i, direction: 'ingress' as const, index: j })),
        ...p.egress.map((_r, j) => ({ policy: i, direction: 'egress' as const, index: j })),
      ]);
      const target = rules[pick % rules.length];
      const widen = (r: PolicyRule): PolicyRule => ('peer' in extra
        ? { ...r, peers: r.peers ? [...r.peers, extra.peer] : undefined }
        : { ...r, ports: r.ports ? [...r.ports, extra.port] : undefined });
      const policies = before.policies.map((p, i) => (i !== target.policy ? p : {
        ...p, [target.direction]: p[target.direction].map((r, j) => (j === target.index ? widen(r) : r)),
      }));
      expectNoConnectionLost(before, { ...before, policies });
    }), { ...RUNS, seed: 8 });
  });

  test('a new policy selecting the pods of an existing one, for some of its directions, never removes an allowed connection', () => {
    const withPolicy = clusterState.filter((c) => c.policies.length > 0);
    const directions = fc.constantFrom<PolicyType[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']);
    fc.assert(fc.property(withPolicy, fc.nat(), directions, policyDraft, (before, pick, wanted, draft) => {
      const existing = before.policies[pick % before.policies.length];
      const policyTypes = wanted.filter((t) => existing.policyTypes.includes(t));
      fc.pre(policyTypes.length > 0);
      const added: NetworkPolicy = { ...policyIn(draft, before.namespaces, 'added'), namespace: existing.namespace, id: `${existing.namespace}/added`, podSelector: existing.podSelector, policyTypes };
      expectNoConnectionLost(before, { ...before, policies: [...before.policies, added] });
    }), { ...RUNS, seed: 4 });
  });

  test('any new policy, kept to the directions in which every pod it selects is already isolated, never removes an allowed connection', () => {
    fc.assert(fc.property(clusterState, policyDraft, (before, draft) => {
      const candidate = policyIn(draft, before.namespaces, 'added');
      const selected = before.pods.filter((pod) => selects(candidate, pod));
      const policyTypes = candidate.policyTypes.filter((type) => selected.every((pod) => isolated(before, type, pod)));
      fc.pre(policyTypes.length > 0);
      expectNoConnectionLost(before, { ...before, policies: [...before.policies, { ...candidate, policyTypes }] });
    }), { ...RUNS, seed: 5 });
  });

  test('the precise statement matters: a new policy can isolate a pod and so remove connections', () => {
    // GIVEN two unisolated pods
    const before: ClusterState = {
      namespaces: [{ name: 'alpha', labels: { 'kubernetes.io/metadata.name': 'alpha' }, declared: true }],
      pods: ['a', 'b', 'c'].map((name, i) => ({ id: `alpha/${name}`, namespace: 'alpha', name, kind: 'Pod' as const, labels: { app: name }, ports: [], ips: [`10.0.0.${i + 1}`] })),
      policies: [],
      services: [],
      nodes: [],
      endpointSlices: [],
    };
    const allowFromA: PolicyRule = { peers: [{ podSelector: { matchLabels: { app: 'a' } } }] };
    // WHEN a policy that only "allows" a -> b is added
    const after: ClusterState = {
      ...before,
      policies: [{ id: 'alpha/allow-a', namespace: 'alpha', name: 'allow-a', podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [allowFromA], egress: [] }],
    };
    // THEN c -> b, allowed before, is denied: b became isolated
    expect(new Reachability(before).isAllowed('alpha/c', 'alpha/b', 80)).toBe(true);
    expect(new Reachability(after).isAllowed('alpha/c', 'alpha/b', 80)).toBe(false);
    expect(new Reachability(after).isAllowed('alpha/a', 'alpha/b', 80)).toBe(true);
  });
});
