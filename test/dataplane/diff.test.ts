/** Diffs between compiled states: applying one to the old image yields the new one, and small changes stay small. */
import fc from 'fast-check';
import { MAP, MapImage, applyDiffToImage, compileNode, decodePortSet, diffImages, diffSize, encodeNode, portSetKey } from '../../lib/dataplane';
import { ClusterState } from '../../lib/model/types';
import { randomCluster, randomPolicies } from '../support/random-cluster';
import { block, cluster, pod, policy } from './model-builders';

function image(state: ClusterState, previous?: MapImage): MapImage {
  return encodeNode(compileNode(state, state.pods.map((p, i) => ({ id: p.id, ifindex: 10 + i }))), { previous });
}

function flat(img: MapImage): Record<string, Record<string, string>> {
  return Object.fromEntries([...img].map(([m, entries]) => [m, Object.fromEntries([...entries].map(([k, v]) => [k, v.toString('hex')]))]));
}

describe('diffImages', () => {
  test('applying the diff between two random states to the old image yields the new image', () => {
    fc.assert(fc.property(randomCluster, randomPolicies, (before, policies) => {
      const after: ClusterState = { ...before, policies };
      const old = image(before);
      const next = image(after, old);
      const diffs = diffImages(old, next);
      expect(flat(applyDiffToImage(old, diffs))).toEqual(flat(next));
      // Nothing to do between a state and itself.
      expect(diffImages(next, image(after, next))).toEqual([]);
    }), { seed: 7, numRuns: 200 });
  });

  test('a port set both states use keeps its id, so unchanged peers are not rewritten', () => {
    fc.assert(fc.property(randomCluster, randomPolicies, (before, policies) => {
      const old = image(before);
      const next = image({ ...before, policies }, old);
      const ids = (img: MapImage) => new Map([...img.get(MAP.ports)!].map(([k, v]) => [portSetKey(decodePortSet(v)), k]));
      const oldIds = ids(old);
      for (const [set, id] of ids(next)) {
        if (oldIds.has(set)) expect(id).toBe(oldIds.get(set));
      }
    }), { seed: 11, numRuns: 100 });
  });

  test('adding one rule to a pod with 10,000 prefixes writes only the entries that rule changes', () => {
    const web = pod('shop/web', { app: 'web' }, ['10.0.0.10']);
    const blocks = Array.from({ length: 10000 }, (_, i) => ({ ipBlock: block(`172.${16 + (i >> 12)}.${(i >> 4) & 255}.${(i & 15) * 16}/28`) }));
    const base = policy('shop/web-in', { matchLabels: { app: 'web' } }, { ingress: [{ peers: blocks, ports: [{ protocol: 'TCP', port: 443 }] }] });
    const extra = policy('shop/web-dns', { matchLabels: { app: 'web' } }, { ingress: [{ peers: [{ ipBlock: block('192.168.0.0/16') }], ports: [{ protocol: 'UDP', port: 53 }] }] });
    const old = image(cluster([web], [base]));
    expect(old.get(MAP.inCidrs)!.size).toBe(10000);
    const diffs = diffImages(old, image(cluster([web], [base, extra]), old));
    // One new CIDR entry and one new port set; nothing else moves.
    expect(diffSize(diffs)).toEqual({ updates: 2, deletes: 0 });
    expect(diffs.map((d) => d.map)).toEqual([MAP.ports, MAP.inCidrs]);
  });

  test('removing a pod\'s policy deletes its entries and opens it', () => {
    const web = pod('shop/web', { app: 'web' }, ['10.0.0.10']);
    const np = policy('shop/web-in', { matchLabels: { app: 'web' } }, { ingress: [{ peers: [{ ipBlock: block('10.0.0.0/8') }] }] });
    const old = image(cluster([web], [np]));
    const diffs = diffImages(old, image(cluster([web], []), old));
    expect(diffs.map((d) => [d.map, d.updates.length, d.deletes.length])).toEqual([
      [MAP.ports, 0, 1], [MAP.inCidrs, 0, 1], [MAP.pods, 1, 0],
    ]);
  });
});
