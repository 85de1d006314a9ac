import { formatProblem } from '../../lib/model/problems';
import { FILE, load, onlyProblem, problemsOf } from './fixtures';

/** A Service `shop/api` whose spec is `specLines` (unindented). The header takes lines 1-6: the first spec line is 7. */
function serviceYaml(specLines: string): string {
  const spec = specLines.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
${spec}
`;
}

function serviceOf(specLines: string) {
  const { cluster, problems } = load(serviceYaml(specLines));
  expect(problems).toEqual([]);
  expect(cluster.services).toHaveLength(1);
  return cluster.services[0];
}

describe('the Service model', () => {
  test('a plain Service is a ClusterIP Service whose targetPort defaults to its port', () => {
    expect(serviceOf('selector: {app: api}\nports:\n- port: 80')).toMatchObject({
      id: 'shop/api', type: 'ClusterIP', clusterIPs: [], headless: false, externalIPs: [], selector: { app: 'api' },
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }], source: { file: FILE, line: 1 },
    });
  });

  test('a targetPort of 0 or "" is defaulted like an absent one', () => {
    const service = serviceOf('selector: {app: api}\nports:\n- {name: a, port: 80, targetPort: 0}\n- {name: b, port: 81, targetPort: ""}');
    expect(service.ports.map((p) => p.targetPort)).toEqual([80, 81]);
  });

  test('a named targetPort is kept as a name, to be resolved per backend', () => {
    expect(serviceOf('selector: {app: api}\nports:\n- {port: 80, targetPort: http, appProtocol: kubernetes.io/h2c}').ports).toEqual([
      { port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
    ]);
  });

  test('clusterIP alone, clusterIPs alone and both agreeing give the same dual-stack addresses', () => {
    expect(serviceOf('clusterIP: 10.100.0.10\nports: [{port: 80}]').clusterIPs).toEqual(['10.100.0.10']);
    expect(serviceOf('clusterIPs: [10.100.0.10, "fd00::a"]\nports: [{port: 80}]').clusterIPs).toEqual(['10.100.0.10', 'fd00::a']);
    expect(serviceOf('clusterIP: 10.100.0.10\nclusterIPs: [10.100.0.10, "fd00::a"]\nports: [{port: 80}]').clusterIPs).toEqual(['10.100.0.10', 'fd00::a']);
  });

  test('clusterIP: None makes a headless Service with no cluster IPs, and it may have no ports', () => {
    expect(serviceOf('clusterIP: None\nselector: {app: api}')).toMatchObject({ headless: true, clusterIPs: [], ports: [] });
  });

  test('an empty selector is read as no selector, as the API reads it', () => {
    expect(serviceOf('selector: {}\nports: [{port: 80}]').selector).toBeUndefined();
    expect(serviceOf('ports: [{port: 80}]').selector).toBeUndefined();
  });

  test('NodePort and LoadBalancer Services default externalTrafficPolicy to Cluster; ClusterIP has none', () => {
    expect(serviceOf('type: NodePort\nports: [{port: 80, nodePort: 30080}]')).toMatchObject({
      type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30080 }],
    });
    expect(serviceOf('type: LoadBalancer\nexternalTrafficPolicy: Local\nports: [{port: 443}]').externalTrafficPolicy).toBe('Local');
    expect(serviceOf('ports: [{port: 80}]').externalTrafficPolicy).toBeUndefined();
    expect(serviceOf('externalIPs: [203.0.113.10]\nports: [{port: 80}]')).toMatchObject({ externalIPs: ['203.0.113.10'], externalTrafficPolicy: 'Cluster' });
  });

  test('an ExternalName Service keeps its name (a trailing dot allowed) and needs no ports', () => {
    expect(serviceOf('type: ExternalName\nexternalName: db.example.com.')).toMatchObject({
      type: 'ExternalName', externalName: 'db.example.com.', clusterIPs: [], headless: false, ports: [],
    });
  });

  test('the selector of an ExternalName Service is dropped: the API ignores it', () => {
    expect(serviceOf('type: ExternalName\nexternalName: db.example.com\nselector: {app: db}').selector).toBeUndefined();
  });

  test('fields of a real API object (what kubectl get -o yaml prints) are accepted', () => {
    expect(serviceOf([
      'clusterIP: 10.100.0.10', 'clusterIPs: [10.100.0.10]', 'internalTrafficPolicy: Cluster', 'ipFamilies: [IPv4]',
      'ipFamilyPolicy: SingleStack', 'sessionAffinity: None', 'selector: {app: api}', 'ports:',
      '- {name: http, port: 80, protocol: TCP, targetPort: http}',
    ].join('\n'))).toMatchObject({ clusterIPs: ['10.100.0.10'] });
  });
});

describe('Service validation, as the API server validates it', () => {
  test('a problem prints as file:line: Kind/ns/name: field: message. Fix: ...', () => {
    const problem = onlyProblem(serviceYaml('ports:\n- port: 0'));
    expect(formatProblem(problem)).toBe(
      `${FILE}:8: Service/shop/api: spec.ports[0].port: must be between 1 and 65535, inclusive, not the number 0 Fix: write a port number from 1 to 65535`,
    );
  });

  test('a Service name must be a DNS-1035 label', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Service\nmetadata:\n  name: 1api.v2\nspec:\n  ports: [{port: 80}]\n')).toEqual({
      object: 'Service/default/1api.v2', field: 'metadata.name',
      message: '"1api.v2" must be a DNS-1035 label for a Service: at most 63 lowercase letters, digits and \'-\', starting with a letter, no dots',
      fix: 'write name: api-v2', source: { file: FILE, line: 4 },
    });
  });

  test('ports are required unless the Service is headless or ExternalName', () => {
    expect(onlyProblem(serviceYaml('selector: {app: api}'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports', message: 'is required: a Service needs at least one port',
      fix: 'add ports: [{ port: 80, targetPort: 8080 }]', source: { file: FILE, line: 6 },
    });
  });

  test('an unsupported type names the one meant', () => {
    expect(onlyProblem(serviceYaml('type: nodeport\nports: [{port: 80, nodePort: 30080}]'))).toEqual({
      object: 'Service/shop/api', field: 'spec.type', message: 'unsupported Service type "nodeport"', fix: 'write type: NodePort',
      source: { file: FILE, line: 7 },
    });
  });

  test('every port needs a name when there are several', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {name: http, port: 80}\n- port: 443'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[1].name', message: 'is required when a Service has more than one port',
      fix: 'name every port, like name: https', source: { file: FILE, line: 9 },
    });
  });

  test('a port name must be a DNS-1123 label', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {name: HTTP_1, port: 80}'))).toMatchObject({
      field: 'spec.ports[0].name', message: expect.stringMatching(/^"HTTP_1" must consist of lowercase alphanumeric/),
      fix: 'write name: http-1', source: { line: 8 },
    });
  });

  test('two ports with the same name', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {name: http, port: 80}\n- {name: http, port: 8080}'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[1].name', message: 'duplicate port name "http" (also spec.ports[0])',
      fix: 'give each port of the Service its own name', source: { file: FILE, line: 9 },
    });
  });

  test('two ports with the same port and protocol', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {name: a, port: 80}\n- {name: b, port: 80, protocol: TCP}'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[1]', message: 'duplicate port 80/TCP (also spec.ports[0])',
      fix: 'remove the copy, or give it another port number or protocol', source: { file: FILE, line: 9 },
    });
  });

  test('the same port number with two protocols is allowed (DNS on 53/UDP and 53/TCP)', () => {
    expect(serviceOf('ports:\n- {name: dns, port: 53, protocol: UDP}\n- {name: dns-tcp, port: 53}').ports).toHaveLength(2);
  });

  test('a targetPort number outside 1-65535', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {port: 80, targetPort: 70000}'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[0].targetPort', message: 'must be between 1 and 65535, inclusive, not the number 70000',
      fix: 'write a port number from 1 to 65535', source: { file: FILE, line: 8 },
    });
  });

  test('a targetPort name that is not an IANA service name', () => {
    expect(onlyProblem(serviceYaml('ports:\n- {port: 80, targetPort: web--port}'))).toMatchObject({
      field: 'spec.ports[0].targetPort', message: 'port name "web--port" must not contain consecutive hyphens', source: { line: 8 },
    });
    expect(onlyProblem(serviceYaml('ports:\n- {port: 80, targetPort: a-very-long-port-name}'))).toMatchObject({
      message: 'port name "a-very-long-port-name" must be no more than 15 characters',
    });
  });

  test('a quoted targetPort number is a name to the API server, and the fix says to drop the quotes', () => {
    expect(onlyProblem(serviceYaml('ports:\n- port: 80\n  targetPort: "8080"'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[0].targetPort', message: 'port name "8080" must contain at least one letter',
      fix: 'write targetPort: 8080 without quotes (a quoted number is read as a port name)', source: { file: FILE, line: 9 },
    });
  });

  test('a nodePort on a ClusterIP Service', () => {
    expect(onlyProblem(serviceYaml('ports:\n- port: 80\n  nodePort: 30080'))).toEqual({
      object: 'Service/shop/api', field: 'spec.ports[0].nodePort', message: 'may not be used when type is \'ClusterIP\'',
      fix: 'remove nodePort, or use type: NodePort or LoadBalancer', source: { file: FILE, line: 9 },
    });
  });

  test('a nodePort outside 1-65535', () => {
    expect(onlyProblem(serviceYaml('type: NodePort\nports:\n- {port: 80, nodePort: 70000}'))).toMatchObject({
      field: 'spec.ports[0].nodePort', message: 'must be between 1 and 65535, inclusive, not the number 70000', source: { line: 9 },
    });
  });

  test('an ExternalName Service without externalName', () => {
    expect(onlyProblem(serviceYaml('type: ExternalName'))).toEqual({
      object: 'Service/shop/api', field: 'spec.externalName', message: 'is required for an ExternalName Service',
      fix: 'add externalName: db.example.com (the DNS name the Service is a CNAME for)', source: { file: FILE, line: 6 },
    });
  });

  test('an ExternalName that is not a DNS name', () => {
    expect(onlyProblem(serviceYaml('type: ExternalName\nexternalName: https://db.example.com'))).toMatchObject({
      field: 'spec.externalName', fix: 'write a DNS name like https-db.example.com (not a URL or an IP address)', source: { line: 8 },
    });
  });

  test('an ExternalName Service with a cluster IP', () => {
    expect(onlyProblem(serviceYaml('type: ExternalName\nexternalName: db.example.com\nclusterIP: 10.100.0.10'))).toEqual({
      object: 'Service/shop/api', field: 'spec.clusterIP', message: 'may not be set for ExternalName services',
      fix: 'remove spec.clusterIP: an ExternalName Service is a DNS CNAME and has no cluster IP', source: { file: FILE, line: 9 },
    });
  });

  test('a clusterIP that is not an address', () => {
    expect(onlyProblem(serviceYaml('clusterIP: 10.100.0.300\nports: [{port: 80}]'))).toEqual({
      object: 'Service/shop/api', field: 'spec.clusterIP', message: 'must be empty, \'None\', or a valid IP address, not "10.100.0.300"',
      fix: 'write an address like 10.100.0.10 or fd00::a, None for a headless Service, or leave it out to have one allocated',
      source: { file: FILE, line: 7 },
    });
  });

  test('clusterIPs whose first value is not clusterIP', () => {
    expect(onlyProblem(serviceYaml('clusterIP: 10.100.0.10\nclusterIPs: [10.100.0.11]\nports: [{port: 80}]'))).toEqual({
      object: 'Service/shop/api', field: 'spec.clusterIPs', message: 'first value must match clusterIP (10.100.0.10), not 10.100.0.11',
      fix: 'write clusterIPs: [10.100.0.10], or give only one of clusterIP and clusterIPs', source: { file: FILE, line: 8 },
    });
  });

  test('two cluster IPs of one family', () => {
    expect(onlyProblem(serviceYaml('clusterIPs: [10.100.0.10, 10.100.0.11]\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.clusterIPs', message: 'may specify no more than one IP for each IP family (both are IPv4)', source: { line: 7 },
    });
  });

  test('None among other cluster IPs', () => {
    expect(onlyProblem(serviceYaml('clusterIPs: [None, "fd00::a"]\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.clusterIPs', message: '\'None\' must be the first and only value',
    });
  });

  test('a headless NodePort or LoadBalancer Service', () => {
    expect(onlyProblem(serviceYaml('type: NodePort\nclusterIP: None\nports: [{port: 80}]'))).toEqual({
      object: 'Service/shop/api', field: 'spec.clusterIP', message: 'may not be set to \'None\' for NodePort services',
      fix: 'remove clusterIP: None (a NodePort Service needs a cluster IP), or use type: ClusterIP for a headless Service',
      source: { file: FILE, line: 8 },
    });
    expect(onlyProblem(serviceYaml('type: LoadBalancer\nclusterIPs: [None]\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.clusterIPs[0]', message: 'may not be set to \'None\' for LoadBalancer services',
    });
  });

  test('externalTrafficPolicy on a ClusterIP Service', () => {
    expect(onlyProblem(serviceYaml('externalTrafficPolicy: Local\nports: [{port: 80}]'))).toEqual({
      object: 'Service/shop/api', field: 'spec.externalTrafficPolicy',
      message: 'may only be set for externally-accessible services, not for type ClusterIP',
      fix: 'remove externalTrafficPolicy, or use type: NodePort or LoadBalancer', source: { file: FILE, line: 7 },
    });
  });

  test('an unsupported externalTrafficPolicy', () => {
    expect(onlyProblem(serviceYaml('type: NodePort\nexternalTrafficPolicy: local\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.externalTrafficPolicy', message: 'unsupported value "local"', fix: 'write externalTrafficPolicy: Local', source: { line: 8 },
    });
  });

  test('a selector written as a label selector', () => {
    expect(onlyProblem(serviceYaml('selector:\n  matchLabels: {app: api}\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.selector', fix: 'write the labels directly, like selector: { app: web }', source: { line: 7 },
    });
  });

  test('an unknown spec field or port field is reported with the field meant', () => {
    expect(onlyProblem(serviceYaml('selecter: {app: api}\nports: [{port: 80}]'))).toMatchObject({
      field: 'spec.selecter', message: 'unknown field "selecter"', fix: 'did you mean "selector"?', source: { line: 7 },
    });
    expect(onlyProblem(serviceYaml('ports:\n- port: 80\n  targetport: 8080'))).toMatchObject({
      field: 'spec.ports[0].targetport', fix: 'did you mean "targetPort"?', source: { line: 9 },
    });
  });

  test('every problem of a Service is reported, and the Service is left out', () => {
    const { cluster, problems } = load(serviceYaml('type: NodePort\nclusterIP: None\nports:\n- {port: 80, targetPort: Web}\n- {port: 80}'));
    expect(problems.map((p) => p.field)).toEqual(['spec.clusterIP', 'spec.ports[0].name', 'spec.ports[0].targetPort', 'spec.ports[1].name']);
    expect(cluster.services).toEqual([]);
  });

  test('a Service whose named targetPort no pod declares is valid: that is a lint finding, not an input error', () => {
    expect(problemsOf(serviceYaml('selector: {app: api}\nports:\n- {port: 80, targetPort: nowhere}'))).toEqual([]);
  });
  describe('status.loadBalancer', () => {
    /** The spec of a LoadBalancer Service, then `statusLines` under status (line 9). */
    const balanced = (statusLines: string, type = 'LoadBalancer') => `${serviceYaml(`type: ${type}\nports: [{port: 80, nodePort: 30080}]`)}status:\n${statusLines.split('\n').map((l) => `  ${l}`).join('\n')}\n`;

    test('the ingress addresses kube-proxy captures are kept; hostnames and Proxy-mode addresses are not', () => {
      const { cluster, problems } = load(balanced('loadBalancer:\n  ingress:\n  - ip: 203.0.113.10\n  - {ip: 203.0.113.11, ipMode: VIP}\n  - {ip: 203.0.113.12, ipMode: Proxy}\n  - hostname: a1b2.elb.us-east-1.amazonaws.com'));
      expect(problems).toEqual([]);
      expect(cluster.services[0].loadBalancerIPs).toEqual(['203.0.113.10', '203.0.113.11']);
    });

    test('an AWS load balancer (a hostname only) leaves the Service without captured addresses', () => {
      const { cluster } = load(balanced('loadBalancer:\n  ingress:\n  - hostname: a1b2.elb.us-east-1.amazonaws.com'));
      expect(cluster.services[0]).not.toHaveProperty('loadBalancerIPs');
    });

    test('a bad ingress point names its field and the fix', () => {
      expect(onlyProblem(balanced('loadBalancer:\n  ingress:\n  - ip: 203.0.113.300'))).toMatchObject({
        field: 'status.loadBalancer.ingress[0].ip', message: 'must be a valid IP address, not "203.0.113.300"', source: { line: 12 },
      });
      expect(onlyProblem(balanced('loadBalancer:\n  ingress:\n  - hostname: 203.0.113.10'))).toMatchObject({
        field: 'status.loadBalancer.ingress[0].hostname', fix: 'write ip: 203.0.113.10',
      });
      expect(onlyProblem(balanced('loadBalancer:\n  ingress:\n  - {hostname: lb.example.com, ipMode: VIP}'))).toMatchObject({
        field: 'status.loadBalancer.ingress[0].ipMode', message: 'may only be set when ip is set',
      });
      expect(onlyProblem(balanced('loadBalancer:\n  ingress:\n  - {ip: 203.0.113.10, ipMode: vip}'))).toMatchObject({
        field: 'status.loadBalancer.ingress[0].ipMode', message: 'unsupported value "vip"',
      });
      expect(onlyProblem(balanced('loadBalancer:\n  ingres: []'))).toMatchObject({
        field: 'status.loadBalancer.ingres', fix: 'did you mean "ingress"?',
      });
    });

    test('only a LoadBalancer Service has ingress points', () => {
      expect(onlyProblem(balanced('loadBalancer:\n  ingress:\n  - ip: 203.0.113.10', 'NodePort'))).toMatchObject({
        field: 'status.loadBalancer.ingress', message: 'may only be set for LoadBalancer services, not for type NodePort',
      });
    });
  });
});
