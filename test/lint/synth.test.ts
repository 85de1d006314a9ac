import { lintCheck, lintObjects } from '../../lib/lint';
import { deployment, DENY_ALL_EGRESS, policy } from './fixtures';

describe('lint at synthesis', () => {
  test('plain objects are linted with the rule and the fix in the message, and no file or line', () => {
    const [finding] = lintObjects([deployment('shop', 'web', { app: 'web' }), policy('shop', 'deny', DENY_ALL_EGRESS)]);
    expect(finding).toEqual({
      object: 'Deployment/shop/web',
      severity: 'error',
      rule: 'dns-egress-blocked',
      message: expect.stringMatching(/^\[dns-egress-blocked\] shop\/web cannot resolve names: .* Fix: add an egress rule/),
      fix: expect.stringContaining('port 53'),
    });
  });

  test('lintCheck carries the options, and objects the loader rejects are left out rather than thrown', () => {
    const check = lintCheck({ disable: ['dns-egress-blocked'] });
    const broken = policy('shop', 'broken', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'nope' } }] }] });
    expect(check([deployment('shop', 'web', { app: 'web' }), policy('shop', 'deny', DENY_ALL_EGRESS), broken])).toEqual([]);
  });
});
