import { closest } from '../../lib/model/validate-fields';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem, portNameProblem, suggestDnsName } from '../../lib/model/validate-names';

describe('Kubernetes name rules', () => {
  test('DNS-1123 labels', () => {
    for (const ok of ['a', 'shop', 'shop-eu-1', '0', 'a'.repeat(63)]) expect(dns1123LabelProblem(ok)).toBeUndefined();
    for (const bad of ['', 'Shop', 'shop.eu', '-a', 'a-', 'a_b', 'a'.repeat(64)]) expect(dns1123LabelProblem(bad)).toBeDefined();
  });

  test('DNS-1123 subdomains', () => {
    for (const ok of ['a', 'allow.web', 'a-b.c-d', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) expect(dns1123SubdomainProblem(ok)).toBeUndefined();
    for (const bad of ['', 'A', 'a..b', '.a', 'a.', 'a_b', 'a'.repeat(254)]) expect(dns1123SubdomainProblem(bad)).toBeDefined();
  });

  test('label keys: optional DNS prefix, then a name of up to 63 characters', () => {
    for (const ok of ['app', 'App_1.x', 'example.com/team', 'kubernetes.io/metadata.name', 'a'.repeat(63)]) expect(labelKeyProblem(ok)).toBeUndefined();
    expect(labelKeyProblem('/app')).toMatch(/empty prefix/);
    expect(labelKeyProblem('example.com/')).toMatch(/empty name/);
    expect(labelKeyProblem('Example.com/app')).toMatch(/prefix "Example.com"/);
    expect(labelKeyProblem('a'.repeat(64))).toMatch(/longer than 63/);
    expect(labelKeyProblem('-app')).toMatch(/start and end with an alphanumeric/);
  });

  test('label values: empty, or up to 63 characters starting and ending alphanumeric', () => {
    for (const ok of ['', 'web', 'v1.2_x-y', 'A'.repeat(63)]) expect(labelValueProblem(ok)).toBeUndefined();
    for (const bad of ['-web', 'web-', 'a b', 'a/b', 'A'.repeat(64)]) expect(labelValueProblem(bad)).toBeDefined();
  });

  test('port names are IANA service names', () => {
    for (const ok of ['http', 'h2c', 'web-8080', 'a', 'x'.repeat(15)]) expect(portNameProblem(ok)).toBeUndefined();
    expect(portNameProblem('')).toBe('must not be empty');
    expect(portNameProblem('x'.repeat(16))).toBe('must be no more than 15 characters');
    expect(portNameProblem('8080')).toBe('must contain at least one letter');
    expect(portNameProblem('a--b')).toBe('must not contain consecutive hyphens');
    expect(portNameProblem('Http')).toMatch(/lowercase/);
    expect(portNameProblem('-http')).toMatch(/start and end/);
    expect(portNameProblem('http-')).toMatch(/start and end/);
  });

  test('a DNS name is suggested from an invalid one', () => {
    expect(suggestDnsName('Web_Policy')).toBe('web-policy');
    expect(suggestDnsName('__')).toBe('my-name');
  });
});

describe('did you mean', () => {
  test('the nearest known field within a few edits is suggested', () => {
    expect(closest('podSelecter', ['podSelector', 'policyTypes'])).toBe('podSelector');
    expect(closest('PolicyTypes', ['podSelector', 'policyTypes'])).toBe('policyTypes');
    expect(closest('namespaceSelectr', ['podSelector', 'namespaceSelector', 'ipBlock'])).toBe('namespaceSelector');
    expect(closest('ipblock', ['podSelector', 'namespaceSelector', 'ipBlock'])).toBe('ipBlock');
    expect(closest('protcol', ['protocol', 'port', 'endPort'])).toBe('protocol');
  });

  test('nothing is suggested when no field is near', () => {
    expect(closest('replicas', ['podSelector', 'policyTypes', 'ingress', 'egress'])).toBeUndefined();
  });
});
