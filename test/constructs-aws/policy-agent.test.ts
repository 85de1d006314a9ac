import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ClusterCompute, EnforcementAgent, NetworkPolicyCluster, PolicyAgent, VpcCniNetworkPolicy, vpcCniConfigurationValues } from '../../constructs/aws';
import { fakeKubectlLayer, twoAppChart } from './helpers';

// CDK synthesis is slow on a shared 2-core machine; give it room beyond jest's 60 s default.
jest.setTimeout(300_000);

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

interface Container {
  image: string;
  args: string[];
  readinessProbe: { httpGet: unknown };
  livenessProbe: { httpGet: unknown };
}

interface DaemonSet {
  kind: 'DaemonSet';
  spec: { template: { spec: { containers: Container[]; initContainers: Container[] } & Record<string, unknown> } };
}

function daemonSetOf(objects: Record<string, unknown>[]): DaemonSet {
  const found = objects.find((o) => o.kind === 'DaemonSet');
  if (!found) throw new Error('no DaemonSet among the agent objects');
  return found as unknown as DaemonSet;
}

describe('NetworkPolicyCluster with EnforcementAgent.eksNetpol()', () => {
  let stack: Stack;
  let cluster: NetworkPolicyCluster;
  let template: Template;
  let assembly: cxapi.CloudAssembly;

  let outdir: string;

  beforeAll(() => {
    // Its own output directory, removed afterwards: the staged image context is a copy of the repository.
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-agent-asset-'));
    const app = new App({ outdir });
    stack = new Stack(app, 'Test');
    cluster = new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: fakeKubectlLayer(stack),
      agent: EnforcementAgent.eksNetpol({ mode: 'strict', port: 9600 }),
    });
    cluster.addChart(twoAppChart('shop', 'shop'));
    template = Template.fromStack(stack);
    assembly = app.synth();
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the vpc-cni add-on stays for pod networking but its enforcement is off ("false", a string)', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: Match.serializedJson({ enableNetworkPolicy: 'false' }),
    });
  });

  test('the agent image is a Docker image asset built from agent-image/Dockerfile, staged without a Docker engine, enough for the bpf stage', () => {
    // The default synthesizer lists assets in <stack>.assets.json, published by cdk-assets at deploy time.
    const manifest = JSON.parse(fs.readFileSync(`${assembly.directory}/${stack.stackName}.assets.json`, 'utf8'));
    const images = Object.values(manifest.dockerImages ?? {}) as { source: { directory: string; dockerFile?: string } }[];
    expect(images).toHaveLength(1);
    expect(images[0].source.dockerFile).toBe('agent-image/Dockerfile');
    const staged = `${assembly.directory}/${images[0].source.directory}`;
    for (const needed of ['agent-image/Dockerfile', 'bpf/Makefile', 'package-lock.json', 'binding.gyp', 'native', 'lib/cli/main.ts']) {
      expect(fs.existsSync(`${staged}/${needed}`)).toBe(true);
    }
    for (const excluded of ['node_modules', 'dist', 'build', 'cdk.out', '.git', 'test']) {
      expect(fs.existsSync(`${staged}/${excluded}`)).toBe(false);
    }
    // The bpf stage's command works on exactly this context (clang is installed wherever CI runs).
    execFileSync('make', ['-C', `${staged}/bpf`], { stdio: 'pipe' });
    expect(fs.statSync(`${staged}/bpf/build/netpol.bpf.o`).size).toBeGreaterThan(0);
  });

  test('the DaemonSet manifest runs the asset image in the host network, and apps wait for it', () => {
    const agentManifest = cluster.policyAgent!.manifest;
    const resource = template.toJSON().Resources[stack.getLogicalId(agentManifest.node.defaultChild as CfnElement)];
    expect(resource.Type).toBe(MANIFEST);
    const text = JSON.stringify(resource.Properties.Manifest);
    expect(text).toContain('\\"kind\\":\\"DaemonSet\\"');
    expect(text).toContain('\\"hostNetwork\\":true');
    // The image URI is the asset's ECR repository and tag, resolved at deploy time.
    expect(text).toContain('container-assets');
    const agentId = stack.getLogicalId(agentManifest.node.defaultChild as CfnElement);
    const appsStack = template.toJSON().Resources[stack.getLogicalId(cluster.appStacks[0].nestedStackResource!)];
    expect(appsStack.DependsOn).toContain(agentId);
  });

  test('the agent runs in the chosen mode and serves its probes on the chosen port', () => {
    const container = daemonSetOf(cluster.policyAgent!.objects).spec.template.spec.containers[0];
    expect(container.args).toEqual(['--node-name', '$(NODE_NAME)', '--mode', 'strict', '--pin-dir', '/sys/fs/bpf/eks-netpol', '--cni-socket', '/run/eks-netpol/cni.sock',
      '--cni-conf-dir', '/host/etc/cni/net.d', '--listen', '0.0.0.0:9600']);
    // The CNI plugin the init container chains fails closed in the same mode.
    const install = daemonSetOf(cluster.policyAgent!.objects).spec.template.spec.initContainers[0].args;
    expect(install[0]).toBe('install-cni');
    expect(install.slice(install.indexOf('--mode'), install.indexOf('--mode') + 2)).toEqual(['--mode', 'strict']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9600 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9600 });
  });
});

describe('PolicyAgent on its own', () => {
  // Each synthesis stages a copy of the image context: every output directory is removed afterwards.
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  function agentOn(props: Partial<ConstructorParameters<typeof PolicyAgent>[2]> = {}): { stack: Stack; agent: PolicyAgent } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-agent-asset-'));
    outdirs.push(outdir);
    const stack = new Stack(new App({ outdir }), 'Test');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Imported', {
      clusterName: 'prod',
      kubectlProvider: eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', {
        serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:kubectl',
      }),
    });
    return { stack, agent: new PolicyAgent(stack, 'Agent', { cluster, ...props }) };
  }

  test('a prebuilt image is used as given, with no asset', () => {
    const { stack, agent } = agentOn({ imageUri: 'registry.example/eks-netpol-agent@sha256:' + 'a'.repeat(64) });
    expect(agent.imageAsset).toBeUndefined();
    expect(daemonSetOf(agent.objects).spec.template.spec.containers[0].image).toBe(agent.imageUri);
    Template.fromStack(stack).resourceCountIs(MANIFEST, 1);
  });

  test('pinned base images reach the Docker build as build arguments', () => {
    const { agent } = agentOn({ baseImages: { node: 'node:20-bookworm-slim@sha256:' + 'b'.repeat(64) } });
    const assembly = (agent.node.root as App).synth();
    const manifest = JSON.parse(fs.readFileSync(`${assembly.directory}/Test.assets.json`, 'utf8'));
    const [image] = Object.values(manifest.dockerImages) as { source: { dockerBuildArgs?: Record<string, string> } }[];
    expect(image.source.dockerBuildArgs).toEqual({ NODE_IMAGE: 'node:20-bookworm-slim@sha256:' + 'b'.repeat(64) });
  });

  test('synthesis is deterministic: two syntheses give byte-identical templates, asset hash included', () => {
    const template = () => JSON.stringify(Template.fromStack(agentOn({ mode: 'strict' }).stack).toJSON());
    const first = template();
    expect(first).toContain('container-assets');
    expect(template()).toBe(first);
  });

  test('a port the node owns is refused, naming the prop and the fix', () => {
    expect(() => agentOn({ port: 80 })).toThrow(/Test\/Agent: port: 80 is not a port from 1024 to 65535.*Fix: leave it out \(9476\)/);
  });

  test('a pin directory outside bpffs is refused', () => {
    expect(() => agentOn({ pinDir: '/var/run/eks-netpol' })).toThrow(/pinDir: "\/var\/run\/eks-netpol" is not a directory under \/sys\/fs\/bpf/);
  });
});

describe('choosing the agent: bad combinations fail at synth', () => {
  test('eks-netpol\'s agent on Auto Mode is refused (Auto Mode enforces with its own agent)', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: fakeKubectlLayer(stack),
      compute: ClusterCompute.autoMode(),
      agent: EnforcementAgent.eksNetpol(),
    })).toThrow(/Test\/Cluster: agent: EKS Auto Mode enforces.*Fix: use ClusterCompute.nodeGroups/);
  });

  test('VPC CNI agent options beside eks-netpol\'s agent are refused, pointing at the agent\'s own mode', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: fakeKubectlLayer(stack),
      networkPolicy: { enforcingMode: 'strict' },
      agent: EnforcementAgent.eksNetpol(),
    })).toThrow(/networkPolicy: .*switches off.*EnforcementAgent.eksNetpol\(\{ mode: "strict" \}\)/);
  });

  test('the default agent is the VPC CNI\'s: enforcement on and no eks-netpol DaemonSet', () => {
    const stack = new Stack(new App(), 'Test');
    const cluster = new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33, kubectlLayer: fakeKubectlLayer(stack) });
    expect(cluster.policyAgent).toBeUndefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni', ConfigurationValues: Match.serializedJson({ enableNetworkPolicy: 'true' }) });
    expect(JSON.stringify(template.toJSON())).not.toContain('eks-netpol-agent');
  });

  test('the add-on for an existing cluster can hand enforcement over too, and then refuses options for its idle agent', () => {
    expect(vpcCniConfigurationValues({}, false)).toEqual({ enableNetworkPolicy: 'false' });
    const stack = new Stack(new App(), 'Test');
    const handedOver = new VpcCniNetworkPolicy(stack, 'Cni', { clusterName: 'prod', kubernetesVersion: eks.KubernetesVersion.V1_33, enforce: false });
    expect(handedOver.configurationValues).toEqual({ enableNetworkPolicy: 'false' });
    expect(() => new VpcCniNetworkPolicy(stack, 'Cni2', {
      clusterName: 'prod',
      kubernetesVersion: eks.KubernetesVersion.V1_33,
      enforce: false,
      networkPolicy: { policyEventLogs: true },
    })).toThrow(/Test\/Cni2: networkPolicy: these options configure the VPC CNI's policy agent, which is off/);
  });
});
