import {
  AccessDeniedException,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { cluster, nodegroup, vpcCniAddon } from './fixtures';

// The credential chain's own error class (what the SDK throws when no provider yields credentials).
const { CredentialsProviderError } = require('@smithy/core/config') as { CredentialsProviderError: new (message: string) => Error };

const eks = mockClient(EKSClient);

/** A NetworkPolicy and, as the second document, an EKS admin-tier ClusterNetworkPolicy (starting at line 7). */
const ADMIN_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
# The admin tier: not overridable by namespace policies.
apiVersion: networking.k8s.aws/v1alpha1
kind: ClusterNetworkPolicy
metadata:
  name: deny-cde-egress
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { tier: cde } } }
  egress:
  - name: deny-all
    action: Deny
    to: [{ networks: [0.0.0.0/0] }]
`;

function io(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    readStdin: () => '',
    cwd: process.cwd(),
    env: {},
    out: () => out,
    err: () => err,
  };
}

/** A healthy cluster: two pages of node groups, the add-on, no Fargate. */
function healthyCluster(): void {
  eks.on(DescribeClusterCommand, { name: 'prod' }).resolves({ cluster: cluster() });
  eks.on(ListAddonsCommand).resolves({ addons: ['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni'] });
  eks.on(DescribeAddonCommand, { clusterName: 'prod', addonName: 'vpc-cni' }).resolves({ addon: vpcCniAddon() });
  eks.on(ListNodegroupsCommand, { clusterName: 'prod', nextToken: undefined }).resolves({ nodegroups: ['general'], nextToken: 'page-2' });
  eks.on(ListNodegroupsCommand, { clusterName: 'prod', nextToken: 'page-2' }).resolves({ nodegroups: ['graviton'] });
  eks.on(DescribeNodegroupCommand, { nodegroupName: 'general' }).resolves({ nodegroup: nodegroup('general', 'AL2023_x86_64_STANDARD') });
  eks.on(DescribeNodegroupCommand, { nodegroupName: 'graviton' }).resolves({ nodegroup: nodegroup('graviton', 'BOTTLEROCKET_ARM_64') });
  eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
}

beforeEach(() => eks.reset());

describe('eks-netpol doctor', () => {
  test('a healthy cluster prints every check as PASS and exits 0', async () => {
    healthyCluster();
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1'], t)).toBe(0);
    expect(t.out()).toContain('Cluster prod (eu-west-1): can it enforce NetworkPolicies?');
    expect(t.out()).toMatch(/PASS {2}node-groups +all 2 node groups run AL2023 or Bottlerocket: general \(AL2023_x86_64_STANDARD\), graviton \(BOTTLEROCKET_ARM_64\)/);
    expect(t.out()).toContain('summary: 9 pass, 0 warn, 0 fail');
    expect(t.err()).toBe('');
    expect(eks.commandCalls(DescribeNodegroupCommand)).toHaveLength(2);
  });

  test('a failing check prints FAIL with its fix and exits 1', async () => {
    healthyCluster();
    eks.on(DescribeAddonCommand).resolves({ addon: vpcCniAddon({ configurationValues: '{}' }) });
    const t = io();
    expect(await main(['doctor', '-c', 'prod', '-r', 'eu-west-1'], t)).toBe(1);
    expect(t.out()).toMatch(/FAIL {2}network-policy-enabled +enableNetworkPolicy is not "true"/);
    expect(t.out()).toMatch(/\n +fix: add "enableNetworkPolicy": "true"/);
  });

  test('warnings alone exit 0', async () => {
    healthyCluster();
    eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: ['batch'] });
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1'], t)).toBe(0);
    expect(t.out()).toMatch(/WARN {2}fargate/);
  });

  test('--output json prints a document with every check and a summary', async () => {
    healthyCluster();
    eks.on(DescribeNodegroupCommand, { nodegroupName: 'graviton' }).resolves({ nodegroup: nodegroup('graviton', 'WINDOWS_CORE_2022_x86_64') });
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1', '--output', 'json'], t)).toBe(1);
    const doc = JSON.parse(t.out());
    expect(doc.cluster).toBe('prod');
    expect(doc.region).toBe('eu-west-1');
    expect(doc.checks).toHaveLength(9);
    expect(doc.checks.find((c: { id: string }) => c.id === 'node-groups')).toMatchObject({ status: 'fail', fix: expect.any(String) });
    expect(doc.summary).toEqual({ pass: 8, warn: 0, fail: 1 });
  });

  test('the same answers give byte-identical output', async () => {
    healthyCluster();
    const a = io();
    const b = io();
    await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1', '--output', 'json'], a);
    await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1', '--output', 'json'], b);
    expect(a.out()).toBe(b.out());
  });

  test('the region comes from AWS_REGION when --region is absent', async () => {
    healthyCluster();
    const t = { ...io(), env: { AWS_REGION: 'us-west-2' } };
    let out = '';
    t.stdout = { write: (s: string) => (out += s) };
    expect(await main(['doctor', '--cluster', 'prod'], t)).toBe(0);
    expect(out).toContain('Cluster prod (us-west-2)');
  });

  test('no credentials: exit 2 with a clear message and no stack trace', async () => {
    eks.on(DescribeClusterCommand).rejects(new CredentialsProviderError('Could not load credentials from any providers'));
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1'], t)).toBe(2);
    expect(t.err()).toBe('eks-netpol doctor: cannot check the cluster: no AWS credentials found.\nFix: configure credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and try again.\n');
    expect(t.out()).toBe('');
  });

  test('no such cluster: exit 2 naming the cluster and region', async () => {
    eks.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: 'No cluster found for name: prod.', $metadata: { httpStatusCode: 404 } }));
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1'], t)).toBe(2);
    expect(t.err()).toMatch(/^eks-netpol doctor: cannot check the cluster: no EKS cluster named "prod" in eu-west-1\.\nFix: .*aws eks list-clusters/);
    expect(t.err()).not.toMatch(/\n\s+at /);
  });

  test('access denied on a later call: exit 2 naming the operation and the permissions needed', async () => {
    healthyCluster();
    eks.on(DescribeAddonCommand).rejects(
      new AccessDeniedException({
        message: 'User: arn:aws:iam::111122223333:user/dev is not authorized to perform: eks:DescribeAddon on resource: arn:aws:eks:eu-west-1:111122223333:cluster/prod',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1'], t)).toBe(2);
    expect(t.err()).toMatch(/access denied calling DescribeAddon on cluster "prod" in eu-west-1: User: .* is not authorized to perform: eks:DescribeAddon/);
    expect(t.err()).toMatch(/Fix: allow eks:DescribeCluster, eks:ListAddons, eks:DescribeAddon/);
    expect(t.err()).not.toMatch(/\n\s+at /);
  });

  test('no region anywhere: exit 2 asking for --region', async () => {
    const saved = { ...process.env };
    for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[key];
    process.env.AWS_CONFIG_FILE = '/nonexistent/eks-netpol-test-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/eks-netpol-test-credentials';
    try {
      const t = io();
      expect(await main(['doctor', '--cluster', 'prod'], t)).toBe(2);
      expect(t.err()).toBe('eks-netpol doctor: cannot check the cluster: no AWS region is set.\nFix: pass --region or set AWS_REGION.\n');
      expect(eks.calls()).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });

  test('usage errors exit 2: no --cluster, an unknown output, an unknown option', async () => {
    for (const argv of [['doctor'], ['doctor', '--cluster', 'prod', '--output', 'yaml'], ['doctor', '--cluster', 'prod', '--zone', 'a']]) {
      const t = io();
      expect(await main(argv, t)).toBe(2);
      expect(t.err()).toMatch(/^eks-netpol doctor: .*\nRun 'eks-netpol doctor --help' for usage\.\n$/);
    }
    expect(eks.calls()).toHaveLength(0);
  });

  test('--policies with a ClusterNetworkPolicy on an add-on older than v1.21.1 warns with the update command', async () => {
    healthyCluster();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-doctor-'));
    try {
      fs.writeFileSync(path.join(dir, 'admin.yaml'), ADMIN_POLICY);
      const t = { ...io(), cwd: dir };
      let out = '';
      t.stdout = { write: (s: string) => (out += s) };
      expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1', '--policies', 'admin.yaml'], t)).toBe(0);
      expect(out).toMatch(/WARN {2}policy-features +1 ClusterNetworkPolicy object given \(deny-cde-egress \(.*admin\.yaml:7\)\): ClusterNetworkPolicy needs vpc-cni v1\.21\.1 or later, and the add-on is v1\.20\.1-eksbuild\.3/);
      expect(out).toMatch(/\n +fix: aws eks update-addon --cluster-name prod --addon-name vpc-cni --addon-version v1\.23\.1-eksbuild\.1\n/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--policies that cannot be read: exit 2 with the problem, and no AWS call', async () => {
    const t = io();
    expect(await main(['doctor', '--cluster', 'prod', '--region', 'eu-west-1', '-p', '/nonexistent/policies'], t)).toBe(2);
    expect(t.err()).toMatch(/\/nonexistent\/policies.*no such file or directory/);
    expect(t.err()).toMatch(/eks-netpol doctor: 1 problem in --policies; the cluster was not checked\.\n$/);
    expect(eks.calls()).toHaveLength(0);
  });

  test('--help prints the usage, and the command is listed in the CLI help', async () => {
    const t = io();
    expect(await main(['doctor', '--help'], t)).toBe(0);
    expect(t.out()).toMatch(/^Usage: eks-netpol doctor --cluster NAME/);
    const h = io();
    await main(['--help'], h);
    expect(h.out()).toMatch(/doctor +can a live EKS cluster enforce NetworkPolicies\?/);
  });
});
