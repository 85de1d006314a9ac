/** The incremental programmer: after any sequence of updates, the maps mean what a full compile says they should. */
import fc from 'fast-check';
import {
  MAP, MapImage, NodeProgrammer, applyDiffToImage, compileNode, decodePortSet, encodeNode, imageKey, portSetKey,
} from '../../lib/dataplane';
import { ClusterState } from '../../lib/model/types';
import { randomCluster, randomPods, randomPolicies } from '../support/random-cluster';

/** An image with port-set ids replaced by the sets they name, so two allocations of ids compare equal. */
function canonical(image: MapImage): Record<string, Record<string, string>> {
  const ports = image.get(MAP.ports) ?? new Map<string, Buffer>();
  const setOf = (id: number) => {
    if (id === 0) return '-';
    const value = ports.get(imageKey(Buffer.from([id & 255, (id >> 8) & 255, (id >> 16) & 255, id >>> 24])));
    return value ? portSetKey(decodePortSet(value)) : `dangling ${id}`;
  };
  const out: Record<string, Record<string, string>> = {};
  for (const [map, entries] of image) {
    if (map === MAP.ports || map === MAP.config || entries.size === 0) continue;
    const named = map !== MAP.pods;
    out[map] = Object.fromEntries([...entries].map(([k, v]) => [Buffer.from(k, 'latin1').toString('hex'), named ? setOf(v.readUInt32LE(0)) : v.toString('hex')]));
  }
  return out;
}

describe('NodeProgrammer', () => {
  test('after each update of a random sequence, the applied image means what a full compile of that state means', () => {
    fc.assert(fc.property(randomCluster, fc.array(randomPolicies, { minLength: 1, maxLength: 4 }), (first, later) => {
      const local = first.pods.map((p, i) => ({ id: p.id, ifindex: 20 + i }));
      const programmer = new NodeProgrammer();
      let applied: MapImage = new Map();
      for (const policies of [first.policies, ...later]) {
        // Same pods and namespaces objects between updates: only pods whose selecting policies change recompile.
        const state: ClusterState = { ...first, policies };
        applied = applyDiffToImage(applied, programmer.update(state, local).diffs);
        expect(canonical(applied)).toEqual(canonical(encodeNode(compileNode(state, local))));
        // Port sets nobody names are gone: every set in the map is named by some entry.
        const named = new Set([MAP.inHosts, MAP.inCidrs, MAP.egHosts, MAP.egCidrs]
          .flatMap((m) => [...(applied.get(m)?.values() ?? [])].map((v) => v.readUInt32LE(0))));
        for (const key of applied.get(MAP.ports)?.keys() ?? []) expect(named.has(Buffer.from(key, 'latin1').readUInt32LE(0))).toBe(true);
      }
    }), { seed: 5, numRuns: 150 });
  });

  test('with policies drawn from one pool (cached flattenings and encodings reused), every update still means a full compile', () => {
    const steps = randomPolicies.chain((pool) => fc.record({
      pool: fc.constant(pool),
      picks: fc.array(fc.subarray(pool.map((_, i) => i)), { minLength: 2, maxLength: 5 }),
    }));
    fc.assert(fc.property(randomCluster, steps, (state, { pool, picks }) => {
      const local = state.pods.map((p, i) => ({ id: p.id, ifindex: 20 + i }));
      const programmer = new NodeProgrammer();
      let applied: MapImage = new Map();
      for (const pick of picks) {
        // The same policy (and rule) objects come and go: flattenings keyed by rule identity are reused.
        const step: ClusterState = { ...state, policies: pick.map((i) => pool[i]) };
        applied = applyDiffToImage(applied, programmer.update(step, local).diffs);
        expect(canonical(applied)).toEqual(canonical(encodeNode(compileNode(step, local))));
      }
    }), { seed: 9, numRuns: 150 });
  });

  test('an update that changes no pod\'s inputs writes nothing and recompiles nothing', () => {
    fc.assert(fc.property(randomCluster, (state) => {
      const local = state.pods.map((p, i) => ({ id: p.id, ifindex: 20 + i }));
      const programmer = new NodeProgrammer();
      programmer.update(state, local);
      const again = programmer.update({ ...state, policies: [...state.policies] }, local);
      expect(again.diffs).toEqual([]);
      expect(again.recompiled).toEqual([]);
    }), { seed: 6, numRuns: 50 });
  });

  test('a pod that leaves the node has all its entries deleted', () => {
    fc.assert(fc.property(randomCluster, (state) => {
      const local = state.pods.map((p, i) => ({ id: p.id, ifindex: 20 + i }));
      const programmer = new NodeProgrammer();
      let applied = applyDiffToImage(new Map(), programmer.update(state, local).diffs);
      applied = applyDiffToImage(applied, programmer.update(state, []).diffs);
      for (const [map, entries] of applied) {
        if (map !== MAP.config) expect({ map, size: entries.size }).toEqual({ map, size: 0 });
      }
    }), { seed: 8, numRuns: 50 });
  });

  test('when pods change (relabelled, readdressed, gone), recompiling only the local pods they concern still means a full compile', () => {
    // Each step keeps most pod objects (unchanged pods are the same objects, as a source that reuses them gives)
    // and replaces or drops a few with versions drawn at random.
    const steps = fc.array(fc.record({ versions: randomPods, picks: fc.array(fc.nat(), { maxLength: 4 }), drop: fc.boolean() }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(randomCluster, steps, (state, mutations) => {
      const local = state.pods.filter((p) => p.ips.length > 0).slice(0, 3).map((p, i) => ({ id: p.id, ifindex: 20 + i }));
      const localIds = new Set(local.map((p) => p.id));
      const programmer = new NodeProgrammer();
      let applied = applyDiffToImage(new Map(), programmer.update(state, local).diffs);
      let pods = state.pods;
      for (const { versions, picks, drop } of mutations) {
        pods = pods.map((pod, index) => {
          if (!picks.some((pick) => pick % Math.max(1, pods.length) === index)) return pod;
          const drawn = versions[index % Math.max(1, versions.length)];
          return drawn ? { ...pod, labels: drawn.labels, ips: localIds.has(pod.id) ? pod.ips : drawn.ips } : pod;
        });
        if (drop) pods = pods.filter((pod, index) => localIds.has(pod.id) || index % 3 !== 0);
        const step: ClusterState = { ...state, pods };
        applied = applyDiffToImage(applied, programmer.update(step, local).diffs);
        expect(canonical(applied)).toEqual(canonical(encodeNode(compileNode(step, local))));
      }
    }), { seed: 13, numRuns: 300 });
  });

  describe('adopting what the kernel holds (a restarted agent)', () => {
    const localOf = (state: ClusterState) => state.pods.map((p, i) => ({ id: p.id, ifindex: 20 + i }));

    test('adopting the maps of the same state writes nothing', () => {
      fc.assert(fc.property(randomCluster, (state) => {
        const local = localOf(state);
        const programmer = new NodeProgrammer();
        programmer.adopt(encodeNode(compileNode(state, local)));
        expect(programmer.update(state, local).diffs).toEqual([]);
      }), { seed: 11, numRuns: 80 });
    });

    test('from another state, the diffs reach the new state and never rewrite a port set an old entry names', () => {
      fc.assert(fc.property(randomCluster, fc.array(randomPolicies, { minLength: 2, maxLength: 4 }), (state, [before, ...after]) => {
        const local = localOf(state);
        const kernel = encodeNode(compileNode({ ...state, policies: before }, local));
        const programmer = new NodeProgrammer();
        programmer.adopt(kernel);
        let applied: MapImage = kernel;
        for (const [step, policies] of after.entries()) {
          const target: ClusterState = { ...state, policies };
          const { diffs } = programmer.update(target, local);
          if (step === 0) {
            // An id the kernel holds is rewritten only with the same set: entries naming it keep their meaning.
            const held = kernel.get(MAP.ports)!;
            const rewritten = diffs.find((d) => d.map === MAP.ports)?.updates ?? [];
            for (const [key, value] of rewritten) {
              const old = held.get(imageKey(key));
              if (old) expect(value.equals(old)).toBe(true);
            }
          }
          applied = applyDiffToImage(applied, diffs);
          expect(canonical(applied)).toEqual(canonical(encodeNode(compileNode(target, local))));
          // The counts the agent reports are what the maps hold.
          const counts = programmer.entryCounts();
          for (const map of [MAP.inHosts, MAP.inCidrs, MAP.egHosts, MAP.egCidrs, MAP.pods, MAP.ports]) expect(counts[map]).toBe(applied.get(map)?.size ?? 0);
        }
      }), { seed: 12, numRuns: 120 });
    });
  });
});
