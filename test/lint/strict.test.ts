import { deployment, findingsOf, policy } from './fixtures';

const probed = deployment('shop', 'web', { app: 'web' }, {
  ports: [{ name: 'http', containerPort: 8080 }],
  container: { readinessProbe: { httpGet: { path: '/ready', port: 'http' } }, livenessProbe: { tcpSocket: { port: 8080 } } },
});

describe('strict-probe-ingress', () => {
  test('in strict mode, probes on a port no rule admits from the node are a warning', () => {
    const [finding, ...rest] = findingsOf('strict-probe-ingress', [probed], { enforcingMode: 'strict' });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'Deployment/shop/web' });
    expect(finding.message).toContain('readinessProbe');
    expect(finding.message).toContain('"http" = 8080');
  });

  test('a rule admitting the probe port from an ipBlock satisfies it', () => {
    const allow = policy('shop', 'kubelet', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080 }] }] });
    expect(findingsOf('strict-probe-ingress', [probed, allow], { enforcingMode: 'strict' })).toEqual([]);
  });

  test('a rule admitting only pods does not admit the kubelet', () => {
    const podsOnly = policy('shop', 'pods', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }] });
    expect(findingsOf('strict-probe-ingress', [probed, podsOnly], { enforcingMode: 'strict' })).toHaveLength(1);
  });

  test('exec probes need no network, and standard mode is not checked', () => {
    const exec = deployment('shop', 'web', { app: 'web' }, { container: { livenessProbe: { exec: { command: ['true'] } } } });
    expect(findingsOf('strict-probe-ingress', [exec], { enforcingMode: 'strict' })).toEqual([]);
    expect(findingsOf('strict-probe-ingress', [probed])).toEqual([]);
  });
});
