/** The lab's refusals and its cleaning up: nothing it creates outlives it, and a crashed run is removed by the next. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../cli/fake-io';
import { RunRegistry } from '../../lib/lab/registry';
import { ip } from '../../lib/lab/shell';
import { describeKernel } from '../support/kernel-env';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

const lab = (args: string[]) => runCli(['lab', ...args], { cwd: ROOT });

// A lab run's names start with its process id (base 36); other jest workers may be running labs of their own.
const RUN_PREFIX = process.pid.toString(36);
const labNamespaces = () => ip('netns', 'list').split('\n').filter((l) => l.startsWith(`enp-${RUN_PREFIX}`));
const labPins = () => fs.readdirSync('/sys/fs/bpf').filter((d) => d.startsWith(`eks-netpol-lab-${RUN_PREFIX}`));

describeKernel('the lab refuses what it cannot do and leaves nothing behind', () => {
  test('invalid manifests exit 2 with every problem and its line, as reach does, before anything is created', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-bad-'));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: { name: x, namespace: a }',
      'spec:', '  podSelector: {}', '  ingress:', '    - from:', '        - ipBlock: { cidr: 10.0.0.1 }', '',
    ].join('\n'));
    const before = labNamespaces();
    const { code, stderr } = await lab([dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:8: NetworkPolicy\/a\/x: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: .*10\.0\.0\.1\/32/);
    expect(labNamespaces()).toEqual(before);
  });

  test('without root it refuses with a clear message and exit 2', () => {
    expect(fs.existsSync(CLI)).toBe(true);
    // uid 65534 (nobody): what a user without sudo gets.
    const result = spawnSync(process.execPath, [CLI, 'lab', 'examples/lab/seed/base'], { cwd: ROOT, uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/eks-netpol lab: the lab needs root .* Run it with sudo\./);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('a run leaves no namespace, pin or process behind', async () => {
    const { code } = await lab(['examples/lab/seed/base', '--from', 'seed/alpine', '--to', 'kube-system/coredns', '--port', '53/UDP', '--timeout', '300']);
    expect(code).toBe(0);
    expect(labNamespaces()).toEqual([]);
    expect(labPins()).toEqual([]);
    // Listeners, probers and the enforcer are this process's children. Killed ones may still show as zombies (Z)
    // until Node's event loop reaps them: they are gone, only their exit status waits.
    const alive = spawnSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(process.pid)]).stdout.toString()
      .split('\n').filter((line) => line.trim() && !/^\s*\d+\s+Z/.test(line) && !/\sps -o /.test(line));
    expect(alive).toEqual([]);
  });

  test('what a killed run left is removed by the next run', () => {
    // GIVEN the record of a run whose process is gone, and the namespace it made
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-reap-'));
    const namespace = `enp-stale${process.pid}`;
    ip('netns', 'add', namespace);
    const pinDir = `/sys/fs/bpf/eks-netpol-lab-stale${process.pid}`;
    fs.mkdirSync(pinDir);
    const gone = spawnSync('true').pid;
    fs.writeFileSync(path.join(dir, 'stale.json'), JSON.stringify({ pid: gone, namespaces: [namespace], pinDirs: [pinDir], pids: [] }));
    // WHEN the next run starts
    const reaped = RunRegistry.reapStale(dir);
    // THEN
    expect(reaped).toEqual(['stale']);
    expect(ip('netns', 'list')).not.toContain(namespace);
    expect(fs.existsSync(pinDir)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
