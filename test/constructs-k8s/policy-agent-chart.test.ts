import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Testing } from 'cdk8s';
import { PolicyAgent } from '../../constructs/aws';
import { PolicyAgentChart, PolicyDeclarationError } from '../../constructs/k8s';
import { POLICY_AGENT_CAPABILITIES, policyAgentManifests } from '../../constructs/private/policy-agent-manifests';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/eks-netpol-agent@sha256:' + 'c'.repeat(64);

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

function synth(props: Partial<ConstructorParameters<typeof PolicyAgentChart>[2]> = {}): KubeObject[] {
  return Testing.synth(new PolicyAgentChart(Testing.app(), 'agent', { image: IMAGE, ...props })) as KubeObject[];
}

/** Loosely typed on purpose: the tests walk into nested fields the schema validation already checked. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function byKind(objects: KubeObject[], kind: string): Loose {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

/** kubernetes-models lays its classes out as <group>/<version>/<Kind> (the core group as v1/<Kind>). */
function validateAgainstSchema(object: KubeObject): void {
  const module = require(`kubernetes-models/${object.apiVersion}/${object.kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  new module[object.kind](object).validate();
}

describe('PolicyAgentChart', () => {
  test('it emits the ServiceAccount, ClusterRole, ClusterRoleBinding and DaemonSet, each valid against the Kubernetes schema', () => {
    const objects = synth({ mode: 'strict', port: 9600, namespace: 'eks-netpol' });
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet']);
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
  });

  test('the DaemonSet holds exactly BPF, NET_ADMIN and PERFMON, never privileged, with every other capability dropped', () => {
    const container = byKind(synth(), 'DaemonSet').spec.template.spec.containers[0];
    expect(container.securityContext).toEqual(expect.objectContaining({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['BPF', 'NET_ADMIN', 'PERFMON'] },
    }));
    expect(POLICY_AGENT_CAPABILITIES).not.toContain('SYS_ADMIN');
    expect(JSON.stringify(synth())).not.toMatch(/"privileged":true/);
  });

  test('the pod runs on every node in the host network, as system-node-critical, with bpffs and the host /sys mounted', () => {
    const pod = byKind(synth(), 'DaemonSet').spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.volumes).toEqual([
      { name: 'bpffs', hostPath: { path: '/sys/fs/bpf', type: 'Directory' } },
      { name: 'sys', hostPath: { path: '/sys', type: 'Directory' } },
      { name: 'cni-socket', hostPath: { path: '/run/eks-netpol', type: 'DirectoryOrCreate' } },
      { name: 'cni-bin', hostPath: { path: '/opt/cni/bin', type: 'Directory' } },
      { name: 'cni-conf', hostPath: { path: '/etc/cni/net.d', type: 'Directory' } },
    ]);
    const mounts = pod.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'bpffs', mountPath: '/sys/fs/bpf', mountPropagation: 'HostToContainer' });
    expect(mounts).toContainEqual({ name: 'sys', mountPath: '/host/sys', readOnly: true });
    // The API server refuses Bidirectional propagation for containers that are not privileged.
    expect(JSON.stringify(mounts)).not.toContain('Bidirectional');
  });

  test.each(['standard', 'strict'] as const)('in %s mode an init container without capabilities chains eks-netpol-cni, and the agent serves its socket', (mode) => {
    const pod = byKind(synth({ mode }), 'DaemonSet').spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const install = pod.initContainers[0];
    expect(install.image).toBe(IMAGE);
    // The image's entrypoint is `node dist/lib/cli/main.js agent`: these are the arguments of `agent install-cni`.
    expect(install.args).toEqual(['install-cni', '--bin-dir', '/host/opt/cni/bin', '--conf-dir', '/host/etc/cni/net.d', '--mode', mode, '--cni-socket', '/run/eks-netpol/cni.sock']);
    expect(install.volumeMounts).toEqual([
      { name: 'cni-bin', mountPath: '/host/opt/cni/bin' },
      { name: 'cni-conf', mountPath: '/host/etc/cni/net.d' },
    ]);
    expect(install.securityContext).toEqual(expect.objectContaining({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 0, capabilities: { drop: ['ALL'] } }));
    const agent = pod.containers[0];
    const socketArg = agent.args.indexOf('--cni-socket');
    expect(agent.args.slice(socketArg, socketArg + 4)).toEqual(['--cni-socket', '/run/eks-netpol/cni.sock', '--cni-conf-dir', '/host/etc/cni/net.d']);
    // The agent keeps the plugin in the chain (aws-node rewrites its conflist), so it sees the conflist as install-cni does.
    expect(agent.volumeMounts).toContainEqual({ name: 'cni-conf', mountPath: '/host/etc/cni/net.d' });
    // The socket's directory is the same path in the container as on the host, where the runtime runs the plugin.
    expect(agent.volumeMounts).toContainEqual({ name: 'cni-socket', mountPath: '/run/eks-netpol' });
    expect(pod.volumes).toContainEqual({ name: 'cni-socket', hostPath: { path: '/run/eks-netpol', type: 'DirectoryOrCreate' } });
  });

  test('RBAC reads pods, namespaces, networkpolicies, services, endpointslices and nodes and writes nothing but a patch of pods', () => {
    const objects = synth();
    const role = byKind(objects, 'ClusterRole');
    const verbs = new Map<string, Set<string>>();
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const key = `${group}/${resource}`;
          verbs.set(key, new Set([...(verbs.get(key) ?? []), ...rule.verbs]));
        }
      }
    }
    expect(Object.fromEntries([...verbs].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      '/pods': ['get', 'list', 'patch', 'watch'],
      '/namespaces': ['get', 'list', 'watch'],
      '/services': ['get', 'list', 'watch'],
      '/nodes': ['get', 'list', 'watch'],
      'networking.k8s.io/networkpolicies': ['get', 'list', 'watch'],
      'discovery.k8s.io/endpointslices': ['get', 'list', 'watch'],
    });
    const binding = byKind(objects, 'ClusterRoleBinding');
    const account = byKind(objects, 'ServiceAccount');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
    expect(byKind(objects, 'DaemonSet').spec.template.spec.serviceAccountName).toBe(account.metadata.name);
  });

  test('readiness is /readyz and liveness /healthz on the agent\'s listening port, which its arguments name', () => {
    const container = byKind(synth({ port: 9700 }), 'DaemonSet').spec.template.spec.containers[0];
    expect(container.args).toContain('0.0.0.0:9700');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9700 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9700 });
    expect(container.env).toEqual([{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
  });

  test('an IPv6 listen address is bracketed for the agent, and a name that is not an address is refused', () => {
    const container = byKind(synth({ listenAddress: '::', port: 9700 }), 'DaemonSet').spec.template.spec.containers[0];
    expect(container.args.slice(-2)).toEqual(['--listen', '[::]:9700']);
    expect(byKind(synth({ listenAddress: '10.0.0.1' }), 'DaemonSet').spec.template.spec.containers[0].args).toContain('10.0.0.1:9476');
    expect(() => synth({ listenAddress: 'node.local' })).toThrow(/props.listenAddress: "node.local" is not an IP address\. Fix: use '0.0.0.0'/);
  });

  test('the DaemonSet selects its pods by explicit labels, never by a construct path', () => {
    const daemonSet = byKind(synth(), 'DaemonSet');
    expect(daemonSet.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'eks-netpol-agent', 'app.kubernetes.io/component': 'node-agent' });
    expect(daemonSet.spec.template.metadata.labels).toEqual(expect.objectContaining(daemonSet.spec.selector.matchLabels));
    expect(JSON.stringify(daemonSet)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('the chart is the same objects the aws-cdk-lib PolicyAgent deploys (one builder, no drift)', () => {
    const stack = new Stack(new App(), 'Test');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Imported', {
      clusterName: 'prod',
      kubectlProvider: eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:kubectl' }),
    });
    const options = { mode: 'strict', port: 9600, namespace: 'eks-netpol', pinDir: '/sys/fs/bpf/netpol' } as const;
    const agent = new PolicyAgent(stack, 'Agent', { cluster, imageUri: IMAGE, ...options });
    expect(synth(options)).toEqual(agent.objects);
    expect(agent.objects).toEqual(policyAgentManifests({ image: IMAGE, ...options }));
  });

  test('equal props give byte-identical YAML input', () => {
    expect(JSON.stringify(synth({ mode: 'strict' }))).toBe(JSON.stringify(synth({ mode: 'strict' })));
  });

  test('bad props fail with the chart path, the prop and the fix', () => {
    expect(() => synth({ image: ' ' })).toThrow(PolicyDeclarationError);
    expect(() => synth({ image: '' })).toThrow(/agent: props.image: the agent image is empty\. Fix: pass the pushed agent image/);
    expect(() => synth({ mode: 'lenient' as 'strict' })).toThrow(/props.mode: "lenient" is not an enforcing mode\. Fix: use 'standard' or 'strict'/);
    expect(() => synth({ namespace: 'Kube_System' })).toThrow(/props.namespace: "Kube_System" is not a DNS label/);
    expect(() => synth({ port: 70000 })).toThrow(/props.port: 70000 is not a port from 1024 to 65535/);
  });
});
