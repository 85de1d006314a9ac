/**
 * Runs the built CLI as a real process (`npm test` builds dist/ before jest): the bin entry, exit codes, standard
 * streams, and which modules `reach` loads.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateCluster } from '../../bench/reach/generate';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function node(args: readonly string[], input?: string) {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '' } });
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
});

describe('the eks-netpol process', () => {
  test('prints the summary of the examples and exits 0', () => {
    const run = node([CLI, 'reach', 'examples/reach', '--output', 'summary']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('probes   20\nallowed  6\ndenied   14\n');
  });

  test('reads standard input for -', () => {
    const stdin = fs.readdirSync(path.join(ROOT, 'examples', 'reach')).filter((f) => f.endsWith('.yaml')).sort()
      .map((f) => fs.readFileSync(path.join(ROOT, 'examples', 'reach', f), 'utf8')).join('\n---\n');
    const run = node([CLI, 'reach', '-', '-o', 'json', '--to', 'shop/db'], stdin);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).summary).toEqual({ probes: 4, allowed: 1, denied: 3 });
  });

  test('exits 2 on invalid input with the problem on stderr and no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cli-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: 8080\n          endPort: 80\n');
    const run = node([CLI, 'reach', file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}:`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('exits 2 on an unknown command or option', () => {
    expect(node([CLI, 'frobnicate']).status).toBe(2);
    const run = node([CLI, 'reach', 'examples/reach', '--bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
  });

  test('reach loads neither aws-cdk-lib, cdk8s, constructs nor the AWS SDK', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-modules-'));
    const record = path.join(dir, 'modules.json');
    const hook = path.join(dir, 'record-modules.js');
    fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const run = node(['--require', hook, CLI, 'reach', 'examples/reach', '--explain']);
    expect(run.status).toBe(0);
    const loaded: string[] = JSON.parse(fs.readFileSync(record, 'utf8'));
    // The check must see the CLI's own modules, or it proves nothing.
    expect(loaded.some((m) => m.endsWith(path.join('dist', 'lib', 'cli', 'commands', 'reach.js')))).toBe(true);
    const heavy = loaded.filter((m) => /node_modules[\\/](aws-cdk-lib|cdk8s|cdk8s-plus-28|constructs|@aws-sdk|@kubernetes)[\\/]/.test(m));
    expect(heavy).toEqual([]);
  });

  test('stops quietly when the reader closes the pipe early', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-pipe-'));
    const file = path.join(dir, 'cluster.yaml');
    fs.writeFileSync(file, generateCluster({ pods: 300, policies: 100 }));
    const child = spawn(process.execPath, [CLI, 'reach', file, '--explain'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Read the first chunk, then go away, as `| head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
