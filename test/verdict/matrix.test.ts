import fc from 'fast-check';
import { Reachability } from '../../lib/verdict/reachability';
import { randomCluster } from '../support/random-cluster';

describe('the matrix engine', () => {
  test('gives the same verdict as the pair-by-pair reference for every probe, ports declared or queried', () => {
    fc.assert(fc.property(randomCluster, fc.boolean(), (state, queried) => {
      const reach = new Reachability(state);
      const external = '10.0.1.7';
      const named = state.pods.some((p) => p.ports.some((port) => port.name === 'http')) ? [{ port: 'http' }] : [];
      const ports = queried ? [{ port: 80 }, ...named, { port: 81, protocol: 'UDP' as const }] : undefined;
      const from = [...reach.podIds, external];
      const to = queried ? [...reach.podIds, external] : reach.podIds;
      let probes = 0;
      let allowed = 0;
      const result = reach.probe({ from, to, ports });
      for (const verdict of result.verdicts()) {
        probes++;
        const reference = reach.check(verdict.from, verdict.to, verdict.port, verdict.protocol);
        expect(verdict.allowed).toBe(reference.allowed);
        if (reference.allowed) allowed++;
      }
      expect(result.summary).toEqual({ probes, allowed, denied: probes - allowed });
      for (const grid of result.grids()) {
        grid.allowed.forEach((row, i) => row.forEach((cell, j) => {
          if (cell !== undefined) expect(cell).toBe(reach.check(grid.from[i], grid.to[j], grid.port, grid.protocol).allowed);
        }));
      }
    }), { seed: 20261128, numRuns: 300 });
  });
});
