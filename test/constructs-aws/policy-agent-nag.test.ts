import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as cdk8s from 'cdk8s';
import { EnforcementAgent, NetworkPolicyCluster } from '../../constructs/aws';
import { acknowledgeClusterFindings } from '../../examples/cluster/nag';
import { ShopChart } from '../../examples/shop/shop';

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
}

describe('the example cluster with eks-netpol\'s agent instead of the VPC CNI\'s', () => {
  let outdir: string;
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes with CloudFormation validation as errors, cdk-nag AwsSolutions clean, the image asset and the DaemonSet in it', () => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-agent-'));
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true }, outdir });
    const stack = new Stack(app, 'EksNetpolAgentCluster');
    const cluster = new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      agent: EnforcementAgent.eksNetpol({ mode: 'strict' }),
    });
    cluster.addChart(new ShopChart(new cdk8s.App(), 'shop'));
    // The agent adds no IAM of its own (its image is pulled with the node role's ECR read access), so the cluster's
    // accepted findings are all there is to acknowledge.
    acknowledgeClusterFindings(cluster);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const assembly = app.synth();

    const plugins = (JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report).pluginReports;
    expect(plugins.map((p) => p.pluginName)).toContain('AwsSolutions');
    for (const plugin of plugins) expect({ plugin: plugin.pluginName, violations: plugin.violations.map((v) => v.ruleName) }).toEqual({ plugin: plugin.pluginName, violations: [] });

    const template = JSON.stringify(assembly.getStackByName('EksNetpolAgentCluster').template);
    expect(template).toContain('\\"kind\\":\\"DaemonSet\\"');
    expect(template).toContain('\\"name\\":\\"eks-netpol-agent\\"');
    const assets = JSON.parse(fs.readFileSync(path.join(outdir, 'EksNetpolAgentCluster.assets.json'), 'utf8'));
    expect(Object.values(assets.dockerImages).map((i) => (i as { source: { dockerFile: string } }).source.dockerFile)).toEqual(['agent-image/Dockerfile']);
  }, 600_000);
});
