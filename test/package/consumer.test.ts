/**
 * The package as a user gets it: `npm pack`, then a fresh project (test/package/consumer-project) that installs the
 * tarball offline from the npm cache `npm ci` filled, and does there what a user does: type-check and build its
 * code against the installed declarations, synthesize a cdk8s app to a GitOps tree, run a jest test with the
 * matchers and a snapshot, `cdk synth` a NetworkPolicyCluster with CloudFormation validation as errors, and run the
 * CLI through `npx`. Every other test runs from the checkout; this one would have caught a package whose install
 * script is not in `files`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { consumerLockfile } from './consumer-lockfile';

const REPO = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'consumer-project');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The version this repository has installed, so the consumer asks for exactly what the cache holds. */
const installed = (name: string): string => read(path.join(REPO, 'node_modules', name, 'package.json')).version;

/** The consumer's frameworks: what a user of the constructs and the jest helpers installs beside eks-netpol. */
function frameworks(): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  const ours = read(path.join(REPO, 'package.json'));
  const layers = Object.keys(ours.devDependencies).filter((name) => name.startsWith('@aws-cdk/lambda-layer-kubectl-'));
  const runtime = ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28', ...layers];
  const tools = ['aws-cdk', 'jest', 'typescript', '@types/node'];
  return {
    dependencies: Object.fromEntries(runtime.map((name) => [name, installed(name)])),
    devDependencies: Object.fromEntries(tools.map((name) => [name, installed(name)])),
  };
}

/** An environment without AWS credentials or region, and with no network use by the CDK CLI. */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'npm_config_prefix']) {
    delete env[key];
  }
  env.AWS_CONFIG_FILE = path.join(home, 'no-aws-config');
  env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, 'no-aws-credentials');
  return env;
}

describe('the packed package, installed in a fresh project', () => {
  let work: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let install: SpawnSyncReturns<string>;

  const run = (command: string, args: string[], timeout = 300_000) =>
    spawnSync(command, args, { cwd: project, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  const ok = (result: SpawnSyncReturns<string>) => ({ status: result.status, stderr: result.status === 0 ? '' : result.stderr + result.stdout });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-consumer-'));
    env = offlineEnv(work);
    // --ignore-scripts: no prepack build here (npm test has built dist/; rebuilding it would race the other suites).
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, env, encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const [{ filename }] = JSON.parse(pack.stdout) as { filename: string }[];
    project = path.join(work, 'project');
    fs.cpSync(FIXTURE, project, { recursive: true });
    const manifest = read(path.join(REPO, 'package.json'));
    const spec = `file:../${filename}`;
    const { dependencies, devDependencies } = frameworks();
    const pkg = { name: 'shop-infra', version: '1.0.0', private: true, dependencies: { 'eks-netpol': spec, ...dependencies }, devDependencies };
    fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const lock = consumerLockfile(read(path.join(REPO, 'package-lock.json')), pkg, { path: path.join(work, filename), spec, manifest });
    fs.writeFileSync(path.join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    // As a user installs it, under npm 11's install-script policy (nothing approved yet).
    install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
  }, 600_000);

  afterAll(() => {
    if (work && !process.env.KEEP_CONSUMER) fs.rmSync(work, { recursive: true, force: true });
  });

  test('installs offline from the npm cache', () => {
    expect(ok(install)).toEqual({ status: 0, stderr: '' });
    expect(fs.existsSync(path.join(project, 'node_modules', 'eks-netpol', 'dist', 'index.js'))).toBe(true);
  });

  test('with its install script allowed, npm rebuild builds the native binding (Linux with libbpf)', () => {
    if (process.platform !== 'linux' || !fs.existsSync('/usr/include/bpf/libbpf.h')) {
      if (process.env.CI) throw new Error('CI must build the native binding: libbpf-dev is missing (bash .ci/setup installs it)');
      console.warn('SKIPPING the native binding build of the installed package: not Linux, or no libbpf headers');
      return;
    }
    const binding = path.join(project, 'node_modules', 'eks-netpol', 'build', 'Release', 'netpol.node');
    // npm 11 names eks-netpol's install script as not covered by allowScripts. It still runs it today (with that
    // warning); releases that block unapproved scripts skip it. Start from the skipped state, as such a user would.
    expect(install.stderr + install.stdout).toMatch(/eks-netpol@[^ ]+ \(install: node scripts\/build-native\.js\)/);
    fs.rmSync(path.join(project, 'node_modules', 'eks-netpol', 'build'), { recursive: true, force: true });
    // What README tells a user: record the approval in package.json (allowScripts), then run the script.
    expect(ok(run('npm', ['install-scripts', 'approve', 'eks-netpol']))).toEqual({ status: 0, stderr: '' });
    expect(Object.keys(read(path.join(project, 'package.json')).allowScripts ?? {})).toEqual([expect.stringMatching(/eks-netpol/)]);
    expect(ok(run('npm', ['rebuild', 'eks-netpol', '--foreground-scripts']))).toEqual({ status: 0, stderr: '' });
    expect(fs.existsSync(binding)).toBe(true);
    const loaded = run('node', ['-e', "process.stdout.write(String(require('eks-netpol/lib').dataplane.nativeUnavailableReason()))"]);
    expect(loaded.stdout).toBe('undefined');
  }, 300_000);

  test("the user's TypeScript type-checks and builds against the installed declarations", () => {
    expect(ok(run('npx', ['tsc', '-p', '.']))).toEqual({ status: 0, stderr: '' });
    expect(fs.existsSync(path.join(project, 'out', 'shop.js'))).toBe(true);
  });

  test('a cdk8s app with AppWithPolicy synthesizes to a GitOps tree', () => {
    const synth = run('node', ['out/gitops.js', 'gitops']);
    expect(ok(synth)).toEqual({ status: 0, stderr: '' });
    const web = fs.readFileSync(path.join(project, 'gitops', 'shop', 'web.yaml'), 'utf8');
    expect(web).toMatch(/kind: Deployment/);
    expect(web).toMatch(/kind: NetworkPolicy/);
    expect(fs.existsSync(path.join(project, 'gitops', 'kustomization.yaml'))).toBe(true);
  });

  test('jest runs the policy test with toAllow, toDeny and a snapshot, then holds it to the snapshot', () => {
    const first = run('npx', ['jest', '--ci=false']);
    expect(ok(first)).toEqual({ status: 0, stderr: '' });
    const snapshot = fs.readFileSync(path.join(project, 'test', '__snapshots__', 'policy.test.js.snap'), 'utf8');
    expect(snapshot).toMatch(/shop\/api:http 8080\/TCP <- shop\/web/);
    // --ci: a snapshot that is missing or different fails instead of being written.
    expect(ok(run('npx', ['jest', '--ci']))).toEqual({ status: 0, stderr: '' });
  });

  test('cdk synth of a NetworkPolicyCluster passes with CloudFormation validation as errors', () => {
    const synth = run('npx', ['cdk', 'synth', '--quiet', '-o', 'cdk.out']);
    expect(ok(synth)).toEqual({ status: 0, stderr: '' });
    const template = read(path.join(project, 'cdk.out', 'ShopCluster.template.json')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::EKS::Cluster', 'AWS::EKS::Addon']));
  }, 600_000);

  test("our agent needs an image from the user's pipeline: without imageUri synthesis names the fix", () => {
    const without = run('node', ['out/agent-cluster.js']);
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/imageUri.*not part of this installation.*docker build -f agent-image\/Dockerfile/s);
    env = { ...env, AGENT_IMAGE: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/eks-netpol-agent:0.1.0' };
    const withImage = run('node', ['out/agent-cluster.js']);
    delete env.AGENT_IMAGE;
    expect(ok(withImage)).toEqual({ status: 0, stderr: '' });
  });

  test('npx eks-netpol --help, reach and lint work on the GitOps tree', () => {
    const help = run('npx', ['eks-netpol', '--help']);
    expect(ok(help)).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/Usage: eks-netpol <command>/);
    const reach = run('npx', ['eks-netpol', 'reach', 'gitops', '--from', 'shop/web', '--to', 'shop/api', '--port', 'http', '--explain']);
    expect(ok(reach)).toEqual({ status: 0, stderr: '' });
    expect(reach.stdout).toMatch(/shop\/web\s+shop\/api\s+8080\/TCP\s+allowed/);
    const lint = run('npx', ['eks-netpol', 'lint', 'gitops']);
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
