import { FILE, load, onlyProblem, policyYaml, problemsOf, SPEC_LINE } from './fixtures';

const OBJECT = 'NetworkPolicy/shop/web';

function validPolicy(spec: string) {
  const { cluster, problems } = load(policyYaml(spec));
  expect(problems).toEqual([]);
  expect(cluster.policies).toHaveLength(1);
  return cluster.policies[0];
}

describe('NetworkPolicy defaulting and normalization', () => {
  test('policyTypes default to Ingress alone when there are no egress rules', () => {
    expect(validPolicy('podSelector: {}').policyTypes).toEqual(['Ingress']);
  });

  test('policyTypes default to Ingress and Egress when egress rules are present', () => {
    expect(validPolicy('podSelector: {}\negress:\n- {}').policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('an empty egress list does not make the policy an egress policy, as the API server defaults it', () => {
    const policy = validPolicy('podSelector: {}\negress: []');
    expect(policy.policyTypes).toEqual(['Ingress']);
    expect(policy.egress).toEqual([]);
  });

  test('an empty policyTypes list is defaulted like an absent one', () => {
    expect(validPolicy('podSelector: {}\npolicyTypes: []\negress:\n- {}').policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('policyTypes as written are kept, duplicates folded, in the order Ingress, Egress', () => {
    expect(validPolicy('podSelector: {}\npolicyTypes: [Egress, Egress]').policyTypes).toEqual(['Egress']);
    expect(validPolicy('podSelector: {}\npolicyTypes: [Egress, Ingress]').policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('from: [] and a missing from both mean every peer, ports: [] and missing ports every port', () => {
    const policy = validPolicy('podSelector: {}\ningress:\n- from: []\n  ports: []\n- {}');
    expect(policy.ingress).toEqual([{ peers: undefined, ports: undefined }, { peers: undefined, ports: undefined }]);
  });

  test('an empty ingress list is kept as a rule list that denies everything', () => {
    expect(validPolicy('podSelector: {}\ningress: []').ingress).toEqual([]);
  });

  test('a protocol defaults to TCP and ports keep numbers, names and ranges', () => {
    const policy = validPolicy('podSelector: {}\ningress:\n- ports:\n  - port: 80\n  - port: http\n    protocol: UDP\n  - port: 8000\n    endPort: 8080\n  - protocol: SCTP');
    expect(policy.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP', port: 'http' },
      { protocol: 'TCP', port: 8000, endPort: 8080 },
      { protocol: 'SCTP' },
    ]);
  });

  test('host bits of an ipBlock are masked and excepts kept', () => {
    const policy = validPolicy('podSelector: {}\negress:\n- to:\n  - ipBlock:\n      cidr: 10.1.2.3/16\n      except: [10.1.5.7/24]');
    const block = policy.egress[0].peers![0].ipBlock!;
    expect(block.cidr.text).toBe('10.1.0.0/16');
    expect(block.except.map((c) => c.text)).toEqual(['10.1.5.0/24']);
  });

  test('pod and namespace selectors in one peer are kept together', () => {
    const policy = validPolicy('podSelector:\n  matchLabels: {app: web}\ningress:\n- from:\n  - podSelector: {matchLabels: {app: a}}\n    namespaceSelector: {}');
    expect(policy.podSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(policy.ingress[0].peers).toEqual([{ podSelector: { matchLabels: { app: 'a' } }, namespaceSelector: {} }]);
  });

  test('the policy carries its id, namespace, name, metadata and source', () => {
    const policy = validPolicy('podSelector: {}');
    expect(policy).toMatchObject({ id: 'shop/web', namespace: 'shop', name: 'web', source: { file: FILE, line: 1 } });
    expect(policy.metadata).toEqual({ name: 'web', namespace: 'shop' });
  });
});

describe('NetworkPolicy validation errors name the object, field, line and fix', () => {
  test('a policy without a name', () => {
    const problem = onlyProblem('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: shop\nspec:\n  podSelector: {}\n');
    expect(problem).toEqual({
      object: 'NetworkPolicy in document 1', field: 'metadata.name', message: 'is required',
      fix: 'add metadata.name, like name: my-networkpolicy', source: { file: FILE, line: 3 },
    });
  });

  test('a name that is not a DNS-1123 subdomain', () => {
    const problem = onlyProblem(policyYaml('podSelector: {}').replace('name: web', 'name: Web_Policy'));
    expect(problem).toMatchObject({ object: 'NetworkPolicy/shop/Web_Policy', field: 'metadata.name', source: { file: FILE, line: 4 } });
    expect(problem.message).toMatch(/"Web_Policy" must consist of lowercase alphanumeric characters/);
    expect(problem.fix).toBe('write name: web-policy');
  });

  test('a missing podSelector', () => {
    expect(onlyProblem(policyYaml('ingress: []'))).toEqual({
      object: OBJECT, field: 'spec.podSelector', message: 'is required',
      fix: 'add podSelector: {} to select every pod of the namespace, or podSelector: { matchLabels: { app: web } }',
      source: { file: FILE, line: 6 },
    });
  });

  test('a missing spec', () => {
    const problem = onlyProblem('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\n');
    expect(problem).toMatchObject({ object: OBJECT, field: 'spec', message: 'is required', source: { file: FILE, line: 1 } });
    expect(problem.fix).toMatch(/podSelector: \{\}/);
  });

  test('a misspelt field is reported once, with the field meant', () => {
    expect(onlyProblem(policyYaml('podSelecter: {}'))).toEqual({
      object: OBJECT, field: 'spec.podSelecter', message: 'unknown field "podSelecter"', fix: 'did you mean "podSelector"?',
      source: { file: FILE, line: SPEC_LINE },
    });
  });

  test('to in an ingress rule is reported as the from it should be', () => {
    const problem = onlyProblem(policyYaml('podSelector: {}\ningress:\n- to:\n  - podSelector: {}'));
    expect(problem).toEqual({
      object: OBJECT, field: 'spec.ingress[0].to', message: 'unknown field "to"',
      fix: 'did you mean "from"? ingress rules list their peers under from', source: { file: FILE, line: SPEC_LINE + 2 },
    });
  });

  test('an unknown policy type', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\npolicyTypes:\n- Ingress\n- egress'))).toEqual({
      object: OBJECT, field: 'spec.policyTypes[1]', message: 'unsupported policy type "egress"',
      fix: 'write "Egress" (policy types are case-sensitive)', source: { file: FILE, line: SPEC_LINE + 3 },
    });
  });

  test('more than two policy types', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\npolicyTypes: [Ingress, Egress, Ingress]'))).toMatchObject({
      field: 'spec.policyTypes', message: 'may not specify more than two policyTypes', source: { line: SPEC_LINE + 1 },
    });
  });

  test('a peer with nothing in it', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - {}'))).toEqual({
      object: OBJECT, field: 'spec.ingress[0].from[0]', message: 'must specify a peer',
      fix: 'give podSelector, namespaceSelector (both for pods in some namespaces), or ipBlock; or remove the peer list to allow every peer',
      source: { file: FILE, line: SPEC_LINE + 3 },
    });
  });

  test('an ipBlock combined with a selector', () => {
    const problem = onlyProblem(policyYaml('podSelector: {}\negress:\n- to:\n  - ipBlock: {cidr: 10.0.0.0/8}\n    podSelector: {}'));
    expect(problem).toMatchObject({
      field: 'spec.egress[0].to[0]', message: 'may not specify both ipBlock and another peer', source: { line: SPEC_LINE + 3 },
    });
    expect(problem.fix).toMatch(/split it into two peers/);
  });

  test('an invalid CIDR', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock:\n      cidr: 10.0.0.300/8'))).toEqual({
      object: OBJECT, field: 'spec.ingress[0].from[0].ipBlock.cidr',
      message: 'invalid CIDR: "10.0.0.300" in "10.0.0.300/8" is not an IPv4 or IPv6 address.',
      fix: 'write an address and a prefix length, like 10.0.0.0/16 or 2001:db8::/64', source: { file: FILE, line: SPEC_LINE + 4 },
    });
  });

  test('a CIDR without a prefix length suggests one', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock:\n      cidr: 192.168.1.1'))).toMatchObject({
      field: 'spec.ingress[0].from[0].ipBlock.cidr', fix: 'write 192.168.1.1/32', source: { line: SPEC_LINE + 4 },
    });
  });

  test('a missing cidr', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock:\n      except: [10.0.0.0/24]'))).toMatchObject({
      field: 'spec.ingress[0].from[0].ipBlock.cidr', message: 'is required', source: { line: SPEC_LINE + 3 },
    });
  });

  test('an except outside its CIDR', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock:\n      cidr: 10.0.0.0/16\n      except:\n      - 10.0.1.0/24\n      - 10.1.0.0/24'))).toEqual({
      object: OBJECT, field: 'spec.ingress[0].from[0].ipBlock.except[1]',
      message: 'must be a strict subset of cidr 10.0.0.0/16, but "10.1.0.0/24" is not strictly inside it',
      fix: 'except a smaller block inside 10.0.0.0/16, or widen the cidr', source: { file: FILE, line: SPEC_LINE + 7 },
    });
  });

  test('an except equal to its CIDR is not a strict subset', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}'))).toMatchObject({
      field: 'spec.ingress[0].from[0].ipBlock.except[0]', message: expect.stringMatching(/strict subset/),
    });
  });

  test('an except of the other address family', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/8, except: ["fd00::/64"]}'))).toMatchObject({
      field: 'spec.ingress[0].from[0].ipBlock.except[0]', message: expect.stringMatching(/is IPv6 and the cidr IPv4/),
    });
  });

  test('a port outside 1-65535', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- ports:\n  - port: 70000'))).toEqual({
      object: OBJECT, field: 'spec.ingress[0].ports[0].port', message: 'must be between 1 and 65535, inclusive, not 70000',
      fix: 'write a port number from 1 to 65535', source: { file: FILE, line: SPEC_LINE + 3 },
    });
  });

  test('port 0 suggests leaving the port out', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- ports:\n  - port: 0'))).toMatchObject({
      message: 'must be between 1 and 65535, inclusive, not 0', fix: 'remove port to allow every port of the protocol',
    });
  });

  test('a quoted port number is a port name without a letter', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- ports:\n  - port: "80"'))).toMatchObject({
      field: 'spec.ingress[0].ports[0].port', message: 'port name "80" must contain at least one letter',
      fix: 'write the number without quotes: port: 80',
    });
  });

  test('a port name that is not an IANA service name', () => {
    for (const [name, reason] of [
      ['http_alt', /must contain only lowercase alphanumeric characters/],
      ['a-very-long-port-name', /no more than 15 characters/],
      ['my--port', /consecutive hyphens/],
      ['-http', /must start and end with an alphanumeric/],
      ['HTTP', /lowercase/],
    ] as const) {
      expect(onlyProblem(policyYaml(`podSelector: {}\ningress:\n- ports:\n  - port: ${name}`))).toMatchObject({
        field: 'spec.ingress[0].ports[0].port', message: expect.stringMatching(reason),
      });
    }
  });

  test('endPort below port', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\negress:\n- ports:\n  - port: 9000\n    endPort: 8000'))).toEqual({
      object: OBJECT, field: 'spec.egress[0].ports[0].endPort', message: 'must be greater than or equal to port (9000), not 8000',
      fix: 'write endPort: 9000 or more, or swap port and endPort', source: { file: FILE, line: SPEC_LINE + 4 },
    });
  });

  test('endPort with a named port', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\negress:\n- ports:\n  - port: http\n    endPort: 8000'))).toEqual({
      object: OBJECT, field: 'spec.egress[0].ports[0].endPort', message: 'may not be specified when port is non-numeric ("http")',
      fix: 'use a numeric port for a range, or remove endPort to allow the named port alone', source: { file: FILE, line: SPEC_LINE + 4 },
    });
  });

  test('endPort without a port', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\negress:\n- ports:\n  - endPort: 8000'))).toMatchObject({
      field: 'spec.egress[0].ports[0].endPort', message: 'may not be specified when port is not specified',
      fix: 'add port: the first port of the range',
    });
  });

  test('endPort above 65535', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\negress:\n- ports:\n  - port: 80\n    endPort: 65536'))).toMatchObject({
      field: 'spec.egress[0].ports[0].endPort', message: 'must be between 1 and 65535, inclusive, not 65536',
    });
  });

  test('an unknown protocol', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- ports:\n  - port: 80\n    protocol: ICMP'))).toEqual({
      object: OBJECT, field: 'spec.ingress[0].ports[0].protocol', message: 'unsupported protocol "ICMP"',
      fix: 'use TCP, UDP or SCTP (omit it for TCP)', source: { file: FILE, line: SPEC_LINE + 4 },
    });
  });

  test('a lower-case protocol suggests the upper-case one', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- ports:\n  - protocol: udp'))).toMatchObject({
      message: 'unsupported protocol "udp"', fix: 'write "UDP" (protocols are upper case)',
    });
  });

  test('a rule that is not an object', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from'))).toMatchObject({
      field: 'spec.ingress[0]', message: 'must be an object, not the string "from"', source: { line: SPEC_LINE + 2 },
    });
  });

  test('rules that are not a list', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n  from: []'))).toMatchObject({
      field: 'spec.ingress', message: 'must be a list, not an object', source: { line: SPEC_LINE + 1 },
    });
  });

  test('every problem of a policy is listed, not only the first', () => {
    const problems = problemsOf(policyYaml([
      'podSelector: {}',
      'ingress:',
      '- from:',
      '  - ipBlock: {cidr: nonsense}',
      '  ports:',
      '  - port: 0',
      '  - protocol: ICMP',
      'egress:',
      '- ports:',
      '  - port: http',
      '    endPort: 90',
    ].join('\n')));
    expect(problems.map((p) => [p.field, p.source?.line])).toEqual([
      ['spec.ingress[0].from[0].ipBlock.cidr', SPEC_LINE + 3],
      ['spec.ingress[0].ports[0].port', SPEC_LINE + 5],
      ['spec.ingress[0].ports[1].protocol', SPEC_LINE + 6],
      ['spec.egress[0].ports[0].endPort', SPEC_LINE + 10],
    ]);
  });

  test('a policy with problems is left out of the cluster', () => {
    const { cluster, problems } = load(policyYaml('podSelector: {}\ningress:\n- ports:\n  - port: 0'));
    expect(problems).toHaveLength(1);
    expect(cluster.policies).toEqual([]);
  });
});
