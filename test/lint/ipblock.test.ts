import { LintOptionsError } from '../../lib/lint';
import { deployment, findingsOf, lint, policy } from './fixtures';

const web = deployment('shop', 'web', { app: 'web' });
const egressTo = (ipBlock: object) => ({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock }] }] });

describe('egress-imds-open', () => {
  test('egress to 0.0.0.0/0 without an except for 169.254.169.254 is a warning', () => {
    const [finding] = findingsOf('egress-imds-open', [web, policy('shop', 'internet', egressTo({ cidr: '0.0.0.0/0' }))]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'NetworkPolicy/shop/internet' });
    expect(finding.fix).toContain('169.254.169.254/32');
  });

  test('an except covering the metadata address satisfies it', () => {
    expect(findingsOf('egress-imds-open', [web, policy('shop', 'internet', egressTo({ cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] }))])).toEqual([]);
  });

  test('::/0 admits the IPv6 metadata address fd00:ec2::254', () => {
    const [finding] = findingsOf('egress-imds-open', [web, policy('shop', 'internet6', egressTo({ cidr: '::/0' }))]);
    expect(finding.message).toContain('fd00:ec2::254');
  });

  test('an ingress ipBlock is not about IMDS', () => {
    expect(findingsOf('egress-imds-open', [web, policy('shop', 'in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })])).toEqual([]);
  });
});

describe('ipblock-covers-cluster-cidr', () => {
  const objects = [web, policy('shop', 'vpc', egressTo({ cidr: '10.0.0.0/8' }))];

  test('an ipBlock covering the pod CIDR is a warning', () => {
    const [finding] = findingsOf('ipblock-covers-cluster-cidr', objects, { podCidrs: ['10.1.0.0/16'] });
    expect(finding.message).toContain('pod CIDR 10.1.0.0/16');
  });

  test('an ipBlock inside the service CIDR is a warning', () => {
    const [finding] = findingsOf('ipblock-covers-cluster-cidr', [web, policy('shop', 'svc', egressTo({ cidr: '172.20.0.10/32' }))], { serviceCidrs: ['172.20.0.0/16'] });
    expect(finding.message).toContain('service CIDR');
  });

  test('a disjoint block, or one whose except removes the whole range, is not reported', () => {
    expect(findingsOf('ipblock-covers-cluster-cidr', objects, { podCidrs: ['192.168.0.0/16'] })).toEqual([]);
    const carved = [web, policy('shop', 'vpc', egressTo({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }))];
    expect(findingsOf('ipblock-covers-cluster-cidr', carved, { podCidrs: ['10.1.0.0/16'] })).toEqual([]);
  });

  test('without --pod-cidr or --service-cidr the rule is silent', () => {
    expect(findingsOf('ipblock-covers-cluster-cidr', objects)).toEqual([]);
  });

  test('a malformed CIDR option is an options error naming the option', () => {
    expect(() => lint(objects, { podCidrs: ['10.1.0.0'] })).toThrow(LintOptionsError);
    expect(() => lint(objects, { podCidrs: ['10.1.0.0'] })).toThrow(/podCidrs: "10.1.0.0"/);
  });
});
