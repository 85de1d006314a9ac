import { FILE, load, onlyProblem } from './fixtures';

function deployment(kind: string, apiVersion: string, templateAt: string[]): Record<string, unknown> {
  const template = {
    metadata: { labels: { app: 'api' } },
    spec: { containers: [{ name: 'app', image: 'api', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }] },
  };
  let body: Record<string, unknown> = template;
  for (const key of [...templateAt].reverse()) body = { [key]: body };
  // apps/v1 workloads must select their template; Jobs and CronJobs generate their selectors.
  if (apiVersion === 'apps/v1') body = { spec: { ...(body.spec as object), selector: { matchLabels: { app: 'api' } } } };
  return { apiVersion, kind, metadata: { name: 'api', namespace: 'shop', labels: { owner: 'team-a' } }, ...body };
}

describe('workloads become one pod identity each', () => {
  test.each([
    ['Deployment', 'apps/v1', ['spec', 'template']],
    ['StatefulSet', 'apps/v1', ['spec', 'template']],
    ['DaemonSet', 'apps/v1', ['spec', 'template']],
    ['ReplicaSet', 'apps/v1', ['spec', 'template']],
    ['Job', 'batch/v1', ['spec', 'template']],
    ['CronJob', 'batch/v1', ['spec', 'jobTemplate', 'spec', 'template']],
  ])('a %s gives namespace/name with its pod template labels and container ports', (kind, apiVersion, at) => {
    const { cluster, problems } = load(JSON.stringify(deployment(kind, apiVersion, at)));
    expect(problems).toEqual([]);
    expect(cluster.pods).toHaveLength(1);
    expect(cluster.pods[0]).toMatchObject({
      id: 'shop/api', namespace: 'shop', name: 'api', kind, labels: { app: 'api' }, ips: [],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      source: { file: FILE, line: 1 },
    });
    expect(cluster.pods[0].metadata).toMatchObject({ labels: { owner: 'team-a' } });
    expect(cluster.pods[0].podSpec).toMatchObject({ containers: [{ name: 'app' }] });
  });

  test('a workload without a pod template', () => {
    expect(onlyProblem('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n')).toEqual({
      object: 'Deployment/default/api', field: 'spec.template', message: 'is required',
      fix: 'add spec.template: { metadata: { labels: { app: web } }, spec: { containers: [...] } }', source: { file: FILE, line: 5 },
    });
  });

  const APPS = (selector: string) => [
    'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata:', '  name: db', 'spec:', selector,
    '  template:', '    metadata:', '    labels: {}', '      labels: {app: db, tier: data}', '    spec:', '      containers: []', '',
  ].filter((line) => line !== '    labels: {}').join('\n');

  test('an apps/v1 workload without spec.selector', () => {
    expect(onlyProblem(APPS('  replicas: 1'))).toEqual({
      object: 'StatefulSet/default/db', field: 'spec.selector', message: 'is required',
      fix: 'add selector: { matchLabels: {app: db, tier: data} }', source: { file: FILE, line: 5 },
    });
  });

  test('an apps/v1 workload with an empty selector', () => {
    expect(onlyProblem(APPS('  selector: {}'))).toMatchObject({ field: 'spec.selector', message: 'must not be empty', source: { line: 6 } });
  });

  test('a selector that does not select the pod template', () => {
    expect(onlyProblem(APPS('  selector:\n    matchLabels: {app: web}'))).toMatchObject({
      field: 'spec.selector', message: 'does not match the template labels (app=web does not select app=db,tier=data)',
      fix: 'make spec.selector and spec.template.metadata.labels agree, for example selector: { matchLabels: {app: db, tier: data} }',
      source: { line: 6 },
    });
  });

  test('an invalid selector operator of a workload is reported like a policy one', () => {
    expect(onlyProblem(APPS('  selector:\n    matchExpressions: [{key: app, operator: Is, values: [db]}]'))).toMatchObject({
      field: 'spec.selector.matchExpressions[0].operator', source: { line: 7 },
    });
  });

  test('a CronJob without its job template points at spec.jobTemplate.spec.template', () => {
    expect(onlyProblem('apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: "0 0 * * *"\n')).toMatchObject({
      field: 'spec.jobTemplate.spec.template', message: 'is required', source: { line: 5 },
    });
  });

  test('ports of native sidecars count, ports of ordinary init containers do not', () => {
    const { cluster, problems } = load(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }] }],
        initContainers: [
          { name: 'migrate', ports: [{ containerPort: 5432, name: 'pg' }] },
          { name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 15001, name: 'proxy', protocol: 'TCP' }] },
        ],
      },
    }));
    expect(problems).toEqual([]);
    expect(cluster.pods[0].ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'proxy', port: 15001, protocol: 'TCP' }]);
  });

  test('a container port outside 1-65535', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    ports:\n    - containerPort: 0\n';
    expect(onlyProblem(text)).toEqual({
      object: 'Pod/default/p', field: 'spec.containers[0].ports[0].containerPort', message: 'must be between 1 and 65535, inclusive, not 0',
      fix: 'write a port number from 1 to 65535, without quotes', source: { file: FILE, line: 9 },
    });
  });

  test('a container port name that is not an IANA service name', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    ports:\n    - containerPort: 80\n      name: Web_Port\n';
    expect(onlyProblem(text)).toMatchObject({ field: 'spec.containers[0].ports[0].name', source: { line: 10 } });
  });

  test('two container ports of a pod with the same name', () => {
    const text = [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:',
      '  - name: a', '    ports:', '    - {containerPort: 80, name: http}',
      '  - name: b', '    ports:', '    - {containerPort: 81, name: http}', '',
    ].join('\n');
    expect(onlyProblem(text)).toEqual({
      object: 'Pod/default/p', field: 'spec.containers[1].ports[0].name',
      message: 'duplicate port name "http" (also at spec.containers[0].ports[0])', fix: 'give each container port of the pod its own name',
      source: { file: FILE, line: 12 },
    });
  });

  test('a container port with an unknown protocol', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    ports:\n    - containerPort: 80\n      protocol: HTTP\n';
    expect(onlyProblem(text)).toMatchObject({ field: 'spec.containers[0].ports[0].protocol', message: 'unsupported protocol "HTTP"', source: { line: 10 } });
  });
});

describe('pods', () => {
  test('a Pod keeps its own labels and its IPs from status.podIP and status.podIPs', () => {
    const { cluster, problems } = load(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x', labels: { pod: 'a' } },
      spec: { containers: [{ name: 'c' }] },
      status: { podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }] },
    }));
    expect(problems).toEqual([]);
    expect(cluster.pods[0]).toMatchObject({ id: 'x/a', kind: 'Pod', labels: { pod: 'a' }, ips: ['10.0.0.7', 'fd00::7'], ports: [] });
  });

  test('a pod IP that is not an address', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: []\nstatus:\n  podIPs:\n  - ip: 10.0.0.7/32\n';
    expect(onlyProblem(text)).toEqual({
      object: 'Pod/default/a', field: 'status.podIPs[0].ip', message: 'must be an IPv4 or IPv6 address, not the string "10.0.0.7/32"',
      fix: 'write an address like 10.0.0.7 or fd00::7 (no prefix length)', source: { file: FILE, line: 9 },
    });
  });

  test('a Pod without a spec', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n')).toMatchObject({ field: 'spec', message: 'is required' });
  });

  test('invalid pod labels point at the label', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    app: "-web"\nspec:\n  containers: []\n')).toMatchObject({
      object: 'Pod/default/a', field: 'metadata.labels[app]', source: { line: 6 },
    });
  });
});

describe('namespaces and services', () => {
  test('a Namespace keeps its labels and gets the automatic name label, whatever the input says', () => {
    const { cluster, problems } = load('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    team: a\n    kubernetes.io/metadata.name: other\n');
    expect(problems).toEqual([]);
    expect(cluster.namespaces).toEqual([{
      name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' }, declared: true, source: { file: FILE, line: 1 },
    }]);
  });

  test('a Namespace name must be a DNS-1123 label', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop.eu\n')).toMatchObject({
      object: 'Namespace/shop.eu', field: 'metadata.name', message: expect.stringMatching(/"shop.eu" must consist of lowercase/),
      source: { line: 4 },
    });
  });

  test('an object namespace that is not a DNS-1123 label', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: Shop\nspec:\n  containers: []\n')).toMatchObject({
      field: 'metadata.namespace', fix: 'write namespace: shop', source: { line: 5 },
    });
  });

  test('a Service is kept with its selector and ports, type, protocol and targetPort defaulted', () => {
    // Both ports are named: the API server requires a name on every port of a Service with more than one.
    const { cluster, problems } = load(JSON.stringify({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' },
      spec: { selector: { app: 'api' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    }));
    expect(problems).toEqual([]);
    expect(cluster.services).toEqual([{
      id: 'shop/api', namespace: 'shop', name: 'api', type: 'ClusterIP', clusterIPs: [], headless: false, externalIPs: [],
      selector: { app: 'api' }, source: { file: FILE, line: 1 },
      metadata: { name: 'api', namespace: 'shop' },
      ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }],
    }]);
  });

  test('a Service port outside 1-65535', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 70000\n')).toMatchObject({
      field: 'spec.ports[0].port', source: { line: 7 },
    });
  });
});

describe('kinds and API versions', () => {
  test('kinds the model does not read are skipped without a problem', () => {
    const { cluster, problems } = load('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {}\n');
    expect(problems).toEqual([]);
    expect(cluster).toEqual({ namespaces: [], pods: [], policies: [], services: [], nodes: [], endpointSlices: [] });
  });

  test('a kind of the same name in another API group is a custom resource, skipped', () => {
    const { cluster, problems } = load('apiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: c\n');
    expect(problems).toEqual([]);
    expect(cluster.pods).toEqual([]);
  });

  test('a removed API version names the one to use', () => {
    expect(onlyProblem('apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n')).toEqual({
      object: 'NetworkPolicy/default/p', field: 'apiVersion', message: 'extensions/v1beta1 no longer serves NetworkPolicy',
      fix: 'write apiVersion: networking.k8s.io/v1', source: { file: FILE, line: 1 },
    });
  });

  test('a version of a built-in group that does not serve the kind', () => {
    expect(onlyProblem('apiVersion: networking.k8s.io/v2\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n')).toEqual({
      object: 'NetworkPolicy/default/p', field: 'apiVersion', message: 'networking.k8s.io/v2 does not serve NetworkPolicy',
      fix: 'write apiVersion: networking.k8s.io/v1', source: { file: FILE, line: 1 },
    });
    expect(onlyProblem('apiVersion: v2\nkind: Pod\nmetadata:\n  name: a\nspec: {}\n')).toMatchObject({
      field: 'apiVersion', message: 'v2 does not serve Pod', fix: 'write apiVersion: v1',
    });
  });

  test('a missing apiVersion', () => {
    expect(onlyProblem('kind: Pod\nmetadata:\n  name: a\nspec: {}\n')).toMatchObject({
      object: 'Pod/default/a', field: 'apiVersion', message: 'is required', fix: 'write apiVersion: v1',
    });
  });

  test('a missing kind', () => {
    expect(onlyProblem('apiVersion: v1\nmetadata:\n  name: a\n')).toEqual({
      object: 'document 1', field: 'kind', message: 'is required', fix: 'add the object\'s kind, like kind: NetworkPolicy',
      source: { file: FILE, line: 1 },
    });
  });

  test('a document that is not a mapping', () => {
    expect(onlyProblem('just a string\n')).toMatchObject({
      object: 'document 1', field: '', message: 'is not a Kubernetes object but the string "just a string"', source: { line: 1 },
    });
  });

  test('an unknown top-level field of a kind we read', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Namespace\nmetdata:\n  name: a\nmetadata:\n  name: a\n')).toMatchObject({
      object: 'Namespace/a', field: 'metdata', message: 'unknown field "metdata"', fix: 'did you mean "metadata"?', source: { line: 3 },
    });
  });
});
