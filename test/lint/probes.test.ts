import { awsNode, deployment, eksNetpolAgent, findingsOf, policy } from './fixtures';

const probed = deployment('shop', 'web', { app: 'web' }, {
  ports: [{ name: 'http', containerPort: 8080 }],
  container: { readinessProbe: { httpGet: { path: '/ready', port: 'http' } }, livenessProbe: { tcpSocket: { port: 8080 } } },
});
const denyIngress = policy('shop', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });

describe('probe-ingress-node-denied', () => {
  test('a default-deny ingress policy with a VPC CNI agent older than v1.0.7 cuts the probes: a warning on the pod', () => {
    const [finding, ...rest] = findingsOf('probe-ingress-node-denied', [probed, denyIngress, awsNode('v1.0.5')]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'Deployment/shop/web', file: 'test.yaml', line: 1 });
    expect(finding.message).toContain('shop/default-deny-ingress isolates the ingress of shop/web');
    expect(finding.message).toContain('agent v1.0.5');
    expect(finding.message).toContain('readinessProbe of container "app" (httpGet port "http" = 8080)');
    expect(finding.fix).toContain('v1.0.7 or later');
  });

  test('an agent from v1.0.7 on, or an input without aws-node, admits the node: nothing is reported', () => {
    expect(findingsOf('probe-ingress-node-denied', [probed, denyIngress, awsNode('v1.0.7')])).toEqual([]);
    expect(findingsOf('probe-ingress-node-denied', [probed, denyIngress, awsNode('v1.2.0')])).toEqual([]);
    expect(findingsOf('probe-ingress-node-denied', [probed, denyIngress])).toEqual([]);
  });

  test('a rule admitting the probe ports from an ipBlock satisfies it, and pods no ingress policy selects are open', () => {
    const kubelet = policy('shop', 'kubelet', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080 }] }] });
    expect(findingsOf('probe-ingress-node-denied', [probed, denyIngress, kubelet, awsNode('v1.0.5')])).toEqual([]);
    const egressOnly = policy('shop', 'egress', { podSelector: {}, policyTypes: ['Egress'] });
    expect(findingsOf('probe-ingress-node-denied', [probed, egressOnly, awsNode('v1.0.5')])).toEqual([]);
  });

  test('the isolating policy\'s lint-disable annotation silences it', () => {
    const quiet = policy('shop', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }, { 'eks-netpol.io/lint-disable': 'probe-ingress-node-denied' });
    expect(findingsOf('probe-ingress-node-denied', [probed, quiet, awsNode('v1.0.5')])).toEqual([]);
  });

  test('in strict mode strict-probe-ingress reports the probes, once', () => {
    const strict = awsNode('v1.0.5', [{ name: 'NETWORK_POLICY_ENFORCING_MODE', value: 'strict' }]);
    expect(findingsOf('probe-ingress-node-denied', [probed, denyIngress, strict])).toEqual([]);
    expect(findingsOf('strict-probe-ingress', [probed, denyIngress, strict])).toHaveLength(1);
  });
});

describe('strict-probe-ingress with eks-netpol\'s agent', () => {
  test('eks-netpol\'s agent admits a node\'s traffic to its pods, so strict mode cuts no probe', () => {
    expect(findingsOf('strict-probe-ingress', [probed, eksNetpolAgent()], { enforcingMode: 'strict' })).toEqual([]);
    expect(findingsOf('strict-probe-ingress', [probed], { enforcingMode: 'strict' })).toHaveLength(1);
  });
});
