import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../examples/cluster/main';
import { compareKubernetesVersions, isAtLeast, VPC_CNI_FEATURE_MINIMUMS } from '../../lib/doctor/vpc-cni-versions';

const REPO = path.resolve(__dirname, '../..');
const STRICT = { '@aws-cdk/core:validateAgainstDefaultRules': true };

interface Resource {
  readonly Type: string;
  readonly Properties: { readonly Version?: string; readonly AddonName?: string; readonly AddonVersion?: string };
}

interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; severity: string }[] }[];
}

function report(outdir: string): Report {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cluster-'));
}

describe('the cluster example behind cdk.json', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('synthesizes in-process with CloudFormation validation as errors and cdk-nag AwsSolutions clean', () => {
    const outdir = tmpdir();
    dirs.push(outdir);
    const { app } = buildApp(new App({ context: STRICT, outdir }));
    const assembly = app.synth();
    const template = assembly.getStackByName('EksNetpolCluster').template as { Resources: Record<string, Resource> };
    expect(Object.keys(template.Resources).length).toBeLessThan(500);
    const resources = Object.values(template.Resources);
    // The example must stay on a current EKS: 1.34 is the oldest minor still supported on 2026-12-04 (extended
    // support), and its vpc-cni must enforce ClusterNetworkPolicy.
    const clusters = resources.filter((r) => r.Type === 'AWS::EKS::Cluster');
    expect(clusters).toHaveLength(1);
    const version = clusters[0].Properties.Version!;
    expect({ version, current: compareKubernetesVersions(version, '1.34') >= 0 }).toEqual({ version, current: true });
    const cni = resources.filter((r) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'vpc-cni');
    expect(cni).toHaveLength(1);
    const addonVersion = cni[0].Properties.AddonVersion!;
    const minimum = VPC_CNI_FEATURE_MINIMUMS.clusterNetworkPolicy;
    expect({ addonVersion, enough: isAtLeast(addonVersion, minimum) }).toEqual({ addonVersion, enough: true });
    const plugins = report(outdir).pluginReports;
    expect(plugins.map((p) => p.pluginName)).toEqual(expect.arrayContaining(['AwsSolutions']));
    for (const plugin of plugins) expect({ plugin: plugin.pluginName, violations: plugin.violations.map((v) => v.ruleName) }).toEqual({ plugin: plugin.pluginName, violations: [] });
  }, 600_000);

  test('without its acknowledgements the AwsSolutions pack reports the findings, so the pack really runs', () => {
    const outdir = tmpdir();
    dirs.push(outdir);
    const { app } = buildApp(new App({ outdir }), false);
    try {
      app.synth();
    } catch {
      // Synthesis may fail on the findings; the report is written either way.
    }
    const nag = report(outdir).pluginReports.find((p) => p.pluginName === 'AwsSolutions')!;
    expect(nag.conclusion).toBe('failure');
    expect(nag.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-L1']));
  }, 600_000);

  test('`npx cdk synth` runs offline with no AWS credentials and no context lookups', () => {
    const outdir = tmpdir();
    dirs.push(outdir);
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[key];
    env.AWS_CONFIG_FILE = path.join(outdir, 'no-config');
    env.AWS_SHARED_CREDENTIALS_FILE = path.join(outdir, 'no-credentials');
    const contextFile = path.join(REPO, 'cdk.context.json');
    const contextBefore = fs.existsSync(contextFile);
    const run = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: REPO, env, encoding: 'utf8', timeout: 540_000 });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'EksNetpolCluster.template.json'), 'utf8')) as { Resources: object };
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    // A lookup would have written cdk.context.json (or failed without credentials).
    expect(fs.existsSync(contextFile)).toBe(contextBefore);
  }, 600_000);
});
