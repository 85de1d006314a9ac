import { Port } from '../../constructs/k8s';
import { canonicalPorts, canonicalSelector, mergeRules, renderSpec } from '../../constructs/k8s/private/render';

describe('rendering rules', () => {
  test('selectors are written with sorted keys and sorted, de-duplicated expression values', () => {
    const selector = canonicalSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'z', operator: 'In', values: ['y', 'x', 'x'] }, { key: 'e', operator: 'Exists' }] });
    expect(JSON.stringify(selector)).toBe('{"matchLabels":{"a":"1","b":"2"},"matchExpressions":[{"key":"e","operator":"Exists"},{"key":"z","operator":"In","values":["x","y"]}]}');
    expect(canonicalSelector({})).toEqual({});
  });

  test('ports are sorted by protocol then number, duplicates dropped, and every-port entries swallow numbers', () => {
    expect(canonicalPorts([
      { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 8000, endPort: 8100 },
    ])).toEqual([
      { protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8000, endPort: 8100 }, { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 'http' }, { protocol: 'UDP', port: 53 },
    ]);
    expect(canonicalPorts([{ protocol: 'TCP', port: 443 }, { protocol: 'TCP' }, { protocol: 'UDP', port: 53 }])).toEqual([{ protocol: 'TCP' }, { protocol: 'UDP', port: 53 }]);
  });

  test('rules with the same peers merge their ports; a rule with every port wins', () => {
    const peer = { podSelector: { matchLabels: { app: 'db' } } };
    expect(mergeRules([{ peers: [peer], ports: [{ protocol: 'TCP', port: 5432 }] }, { peers: [peer], ports: [{ protocol: 'TCP', port: 6432 }] }]))
      .toEqual([{ peers: [peer], ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 6432 }] }]);
    expect(mergeRules([{ peers: [peer], ports: [{ protocol: 'TCP', port: 5432 }] }, { peers: [peer] }])).toEqual([{ peers: [peer] }]);
  });

  test('rules are ordered by their peers, whatever the declaration order', () => {
    const a = { peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP' as const, port: 1 }] };
    const b = { peers: [{ podSelector: { matchLabels: { app: 'x' } } }] };
    expect(renderSpec('Egress', {}, [a, b])).toEqual(renderSpec('Egress', {}, [b, a]));
    expect(renderSpec('Ingress', { matchLabels: { app: 'y' } }, [b])).toEqual({
      podSelector: { matchLabels: { app: 'y' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }],
    });
  });

  test('ports read in messages as they are written in code', () => {
    expect([Port.tcp(443), Port.udp(53), Port.sctp(9), Port.tcpRange(1, 2), Port.udpRange(3, 4), Port.named('http'), Port.named('dns', 'UDP'), Port.allTcp(), Port.allUdp()].map(String))
      .toEqual(['Port.tcp(443)', 'Port.udp(53)', 'Port.sctp(9)', 'Port.tcpRange(1, 2)', 'Port.udpRange(3, 4)', 'Port.named("http")', 'Port.named("dns", "UDP")', 'Port.allTcp()', 'Port.allUdp()']);
  });
});
