import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { AppWithPolicy, configurePolicyChecks, IPeer, Peer, Port } from '../../constructs/k8s';

/** One rule declaration: which app declares it, in which direction, to which peer, on which ports. */
interface Step {
  app: number;
  direction: 'from' | 'to';
  peer: number;
  ports: number[];
}

const PORTS = [Port.named('http'), Port.tcp(443), Port.udp(53), Port.tcpRange(8000, 8099)];

function synthesize(steps: readonly Step[]): string {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  configurePolicyChecks(chart, { level: 'off' });
  const apps = ['a', 'b', 'c'].map((name) => new AppWithPolicy(chart, name, { image: `${name}:1`, ports: { http: 8080 } }));
  const peers = (self: number): IPeer[] => [
    apps[(self + 1) % apps.length],
    Peer.ipBlock('203.0.113.0/24'),
    Peer.namespace('monitoring'),
    Peer.pods({ role: 'cache' }),
  ];
  for (const step of steps) {
    const app = apps[step.app];
    const peer = peers(step.app)[step.peer];
    // Named ports resolve only on apps; towards the others, use numbers.
    const ports = step.ports.map((i) => PORTS[i]).filter((p) => typeof p.port !== 'string' || step.direction === 'from' || step.peer === 0);
    if (step.direction === 'from') app.allowFrom(peer, ...ports);
    else app.allowTo(peer, ...ports);
  }
  return Yaml.stringify(...Testing.synth(chart));
}

const step = fc.record({
  app: fc.integer({ min: 0, max: 2 }),
  direction: fc.constantFrom<'from' | 'to'>('from', 'to'),
  peer: fc.integer({ min: 0, max: 3 }),
  ports: fc.array(fc.integer({ min: 0, max: PORTS.length - 1 }), { maxLength: 3 }),
});

describe('synthesis is deterministic', () => {
  test('the same declarations in any order, repeated or not, give byte-identical YAML', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), fc.integer(), (steps, seed) => {
        const shuffled = [...steps].sort((x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7));
        const once = synthesize(steps);
        expect(synthesize(shuffled)).toBe(once);
        expect(synthesize([...steps, ...steps])).toBe(once);
      }),
      { numRuns: 15 },
    );
  });
});
