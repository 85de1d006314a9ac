import { Chart, Testing } from 'cdk8s';
import { AppWithPolicy, Peer, Port } from '../../constructs/k8s';
import { clusterOf, reachabilityText } from '../../lib/testing';

function build(): Chart {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const web = new AppWithPolicy(chart, 'web', { image: 'w', ports: { http: 8080 } });
  const api = new AppWithPolicy(chart, 'api', { image: 'a', ports: { http: 8080 } });
  const db = new AppWithPolicy(chart, 'db', { image: 'd', ports: { postgres: 5432 } });
  new AppWithPolicy(chart, 'batch', { image: 'b' });
  web.allowTo(api, Port.named('http'));
  api.allowTo(db, Port.named('postgres'));
  web.allowFrom(Peer.allPods(), Port.named('http'));
  return chart;
}

describe('the reachability text', () => {
  test('lists, per destination port, who may connect', () => {
    expect(reachabilityText(clusterOf(build()))).toBe([
      'reachability: 3 of 9 probes allowed (4 sources, 4 destinations)',
      'shop/api:http 8080/TCP <- shop/web',
      'shop/batch: no ports probed (it declares none)',
      'shop/db:postgres 5432/TCP <- shop/api',
      // web admits every pod, but api and db are isolated for egress and allow themselves no way to web.
      'shop/web:http 8080/TCP <- shop/batch',
    ].join('\n'));
  });

  test('a change of one rule changes one line', () => {
    const before = reachabilityText(clusterOf(build())).split('\n');
    const chart = build();
    (chart.node.findChild('web') as AppWithPolicy).allowTo(chart.node.findChild('db') as AppWithPolicy, Port.named('postgres'));
    const after = reachabilityText(clusterOf(chart)).split('\n');
    const changed = after.filter((line) => !before.includes(line));
    expect(changed).toEqual(['reachability: 4 of 9 probes allowed (4 sources, 4 destinations)', 'shop/db:postgres 5432/TCP <- shop/api, shop/web']);
  });

  test('says "every other pod" when every probed source is allowed, and takes a probe query', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'open' });
    for (const name of ['a', 'b', 'c', 'd']) new AppWithPolicy(chart, name, { image: 'x', ports: { http: 80 } });
    const text = reachabilityText(clusterOf(chart));
    expect(text).toContain('open/a:http 80/TCP <- every other pod (3)');
    expect(reachabilityText(clusterOf(chart), { from: ['open/b', '198.51.100.1'], to: ['open/a'], ports: [{ port: 443 }] }))
      .toBe('reachability: 2 of 2 probes allowed (2 sources, 1 destinations)\nopen/a:443/TCP <- open/b, 198.51.100.1');
  });
});
