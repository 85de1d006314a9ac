import { FILE, load, onlyProblem } from './fixtures';

/** An EndpointSlice `shop/db-1` of Service db, with `body` after the metadata (lines 1-6 are the header). */
function sliceYaml(body: string): string {
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  namespace: shop
  labels: {kubernetes.io/service-name: db}
${body}
`;
}

/** A legacy Endpoints `shop/db`, with `subsets` after line 5. */
function endpointsYaml(subsets: string): string {
  return `apiVersion: v1
kind: Endpoints
metadata:
  name: db
  namespace: shop
${subsets}
`;
}

describe('EndpointSlices', () => {
  test('a slice is read with its Service, endpoints (ready by default) and ports', () => {
    const { cluster, problems } = load(sliceYaml([
      'addressType: IPv4',
      'endpoints:',
      '- addresses: [10.0.5.5]',
      '  nodeName: ip-10-0-1-17.ec2.internal',
      '  targetRef: {kind: Pod, name: db-0, namespace: shop}',
      '- addresses: [10.0.5.6]',
      '  conditions: {ready: false, serving: false}',
      'ports:',
      '- {name: pg, port: 5432, protocol: TCP, appProtocol: postgresql}',
    ].join('\n')));
    expect(problems).toEqual([]);
    expect(cluster.endpointSlices).toEqual([{
      id: 'shop/db-1', namespace: 'shop', name: 'db-1', kind: 'EndpointSlice', serviceName: 'db', addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.5.5'], ready: true, nodeName: 'ip-10-0-1-17.ec2.internal', targetRef: { kind: 'Pod', name: 'db-0', namespace: 'shop' } },
        { addresses: ['10.0.5.6'], ready: false },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP', appProtocol: 'postgresql' }],
      source: { file: FILE, line: 1 },
      metadata: expect.objectContaining({ name: 'db-1' }),
    }]);
    // The slice's namespace is referenced like any other object's.
    expect(cluster.namespaces.map((ns) => ns.name)).toEqual(['shop']);
  });

  test('a slice without addressType', () => {
    expect(onlyProblem(sliceYaml('endpoints: []'))).toEqual({
      object: 'EndpointSlice/shop/db-1', field: 'addressType', message: 'is required', fix: 'write addressType: IPv4 (or IPv6, or FQDN)',
      source: { file: FILE, line: 1 },
    });
  });

  test('an address of the other family', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nendpoints:\n- addresses: ["fd00::5"]'))).toEqual({
      object: 'EndpointSlice/shop/db-1', field: 'endpoints[0].addresses[0]', message: 'must be a valid IPv4 address, not "fd00::5"',
      fix: 'put IPv6 addresses in an EndpointSlice with addressType: IPv6', source: { file: FILE, line: 9 },
    });
  });

  test('a link-local address (the instance metadata service) is refused, as the API server refuses it', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nendpoints:\n- addresses: [169.254.169.254]'))).toMatchObject({
      field: 'endpoints[0].addresses[0]', message: 'may not be a link-local address (169.254.169.254)', source: { line: 9 },
    });
  });

  test('an endpoint without addresses', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nendpoints:\n- addresses: []'))).toMatchObject({
      field: 'endpoints[0].addresses', message: 'must contain at least 1 address', source: { line: 9 },
    });
  });

  test('a quoted condition', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nendpoints:\n- addresses: [10.0.5.5]\n  conditions: {ready: "false"}'))).toMatchObject({
      field: 'endpoints[0].conditions.ready', message: 'must be true or false, not the string "false"', fix: 'write ready: false without quotes',
    });
  });

  test('two ports of one name', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nendpoints: []\nports:\n- {name: pg, port: 5432}\n- {name: pg, port: 5433}'))).toMatchObject({
      field: 'ports[1].name', message: 'duplicate port name "pg" (also at index 0)', source: { line: 11 },
    });
  });

  test('a slice field put under spec', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4\nspec: {}'))).toMatchObject({
      field: 'spec', message: 'unknown field "spec"', fix: expect.stringContaining('addressType, endpoints, ports'),
    });
  });

  test('a removed API version names the one to use', () => {
    expect(onlyProblem(sliceYaml('addressType: IPv4').replace('discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'))).toMatchObject({
      field: 'apiVersion', message: 'discovery.k8s.io/v1beta1 no longer serves EndpointSlice', fix: 'write apiVersion: discovery.k8s.io/v1',
    });
  });
});

describe('legacy Endpoints', () => {
  test('an Endpoints object becomes a slice per subset and address family, tied to the Service of its name', () => {
    const { cluster, problems } = load(endpointsYaml([
      'subsets:',
      '- addresses: [{ip: 192.0.2.42}, {ip: "2001:db8::42"}]',
      '  notReadyAddresses: [{ip: 192.0.2.43}]',
      '  ports: [{port: 5432}]',
    ].join('\n')));
    expect(problems).toEqual([]);
    expect(cluster.endpointSlices).toEqual([
      expect.objectContaining({
        id: 'shop/db#0', name: 'db', kind: 'Endpoints', serviceName: 'db', addressType: 'IPv4',
        endpoints: [{ addresses: ['192.0.2.42'], ready: true }, { addresses: ['192.0.2.43'], ready: false }],
        ports: [{ port: 5432, protocol: 'TCP' }],
      }),
      expect.objectContaining({ id: 'shop/db#1', addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::42'], ready: true }] }),
    ]);
  });

  test('an Endpoints object of one part keeps its own id', () => {
    expect(load(endpointsYaml('subsets:\n- addresses: [{ip: 192.0.2.42}]\n  ports: [{port: 5432}]')).cluster.endpointSlices.map((s) => s.id)).toEqual(['shop/db']);
  });

  test('an Endpoints address that is not an IP', () => {
    expect(onlyProblem(endpointsYaml('subsets:\n- addresses: [{ip: db.example.com}]\n  ports: [{port: 5432}]'))).toEqual({
      object: 'Endpoints/shop/db', field: 'subsets[0].addresses[0].ip', message: 'must be a valid IP address, not the string "db.example.com"',
      fix: 'write an address like 10.0.1.5 or fd00::5 (no prefix length, no host name)', source: { file: FILE, line: 7 },
    });
  });

  test('an Endpoints port without a number', () => {
    expect(onlyProblem(endpointsYaml('subsets:\n- addresses: [{ip: 192.0.2.42}]\n  ports: [{name: pg}]'))).toMatchObject({
      field: 'subsets[0].ports[0].port', message: 'is required', source: { line: 8 },
    });
  });

  test('several Endpoints ports need names', () => {
    expect(onlyProblem(endpointsYaml('subsets:\n- addresses: [{ip: 192.0.2.42}]\n  ports: [{name: pg, port: 5432}, {port: 9187}]'))).toMatchObject({
      field: 'subsets[0].ports[1].name', message: 'is required when a subset has more than one port',
    });
  });

  test('a subset without any address', () => {
    expect(onlyProblem(endpointsYaml('subsets:\n- ports: [{port: 5432}]'))).toMatchObject({
      field: 'subsets[0]', message: 'must specify `addresses` or `notReadyAddresses`', source: { line: 7 },
    });
  });

  test('an Endpoints object written twice is reported, naming both places', () => {
    const doc = endpointsYaml('subsets: []');
    expect(onlyProblem(`${doc}---\n${doc}`)).toMatchObject({
      object: 'Endpoints/shop/db', field: 'metadata.name', message: `duplicate Endpoints shop/db: given by Endpoints at ${FILE}:1 and Endpoints at ${FILE}:8`,
    });
  });
});
