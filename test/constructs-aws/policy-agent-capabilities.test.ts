/**
 * The DaemonSet's capability set against the real kernel: a process holding exactly POLICY_AGENT_CAPABILITIES (uid 0,
 * every other capability out of its bounding set, as the container runtime sets it up for our securityContext) loads
 * bpf/build/netpol.bpf.o, pins its programs and maps in bpffs and attaches a program to a veth; and each capability
 * is needed: without it the kernel refuses. The agent attaches with TCX links (bpf_link_create), bpftool here cannot,
 * so the test attaches through tc: the kernel asks CAP_NET_ADMIN of both. Then the agent itself, laid out as the image
 * lays it out and started as the DaemonSet starts it, with the same capabilities: attach, restart, uninstall.
 * Runs as root; skips elsewhere, saying why (and fails in CI).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformFileSync } from '@swc/core';
import { POLICY_AGENT_CAPABILITIES } from '../../constructs/private/policy-agent-manifests';
import { makePinDir, makeVethLab, VethLab } from '../dataplane/kernel-env';
import { describeKernel } from '../support/kernel-env';

const ROOT = path.resolve(__dirname, '..', '..');
const OBJECT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');

/** Runs a command as uid 0 holding only `capabilities`; returns its exit status and output. */
function withCapabilities(capabilities: readonly string[], command: string[]): { ok: boolean; output: string } {
  const bounding = ['-all', ...capabilities.map((c) => `+${c.toLowerCase()}`)].join(',');
  const run = spawnSync('setpriv', ['--bounding-set', bounding, '--inh-caps', '-all', '--', ...command], { encoding: 'utf8', timeout: 60_000 });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describeKernel('the agent\'s capabilities (BPF, NET_ADMIN, PERFMON) in the kernel', () => {
  let lab: VethLab;
  const pinDirs: string[] = [];

  beforeAll(() => {
    for (const tool of ['setpriv', 'bpftool', 'tc']) execFileSync('which', [tool], { stdio: 'pipe' });
    if (!fs.existsSync(OBJECT)) execFileSync('make', ['-C', path.join(ROOT, 'bpf')], { stdio: 'pipe' });
    lab = makeVethLab();
  });

  afterAll(() => {
    for (const dir of pinDirs) fs.rmSync(dir, { recursive: true, force: true });
    lab?.remove();
  });

  /** Loads the object and pins its programs and maps under a fresh directory, holding only `capabilities`. */
  function loadAndPin(capabilities: readonly string[]): { ok: boolean; output: string; dir: string } {
    const dir = makePinDir();
    pinDirs.push(dir);
    const run = withCapabilities(capabilities, ['bpftool', 'prog', 'loadall', OBJECT, `${dir}/progs`, 'type', 'tc', 'pinmaps', `${dir}/maps`]);
    return { ...run, dir };
  }

  test('with exactly the DaemonSet\'s capabilities the programs load, pin and attach to a pod veth', () => {
    expect([...POLICY_AGENT_CAPABILITIES].sort()).toEqual(['BPF', 'NET_ADMIN', 'PERFMON']);
    const loaded = loadAndPin(POLICY_AGENT_CAPABILITIES);
    expect(loaded.output).not.toMatch(/Error/);
    expect(loaded.ok).toBe(true);
    expect(fs.readdirSync(`${loaded.dir}/progs`).sort()).toEqual(['netpol_egress', 'netpol_ingress']);
    expect(fs.readdirSync(`${loaded.dir}/maps`)).toEqual(expect.arrayContaining(['netpol_pods', 'netpol_ports', 'netpol_config']));

    const qdisc = withCapabilities(POLICY_AGENT_CAPABILITIES, ['tc', 'qdisc', 'add', 'dev', lab.host, 'clsact']);
    expect(qdisc.output).toBe('');
    const attach = withCapabilities(POLICY_AGENT_CAPABILITIES, ['tc', 'filter', 'add', 'dev', lab.host, 'egress', 'bpf', 'da', 'pinned', `${loaded.dir}/progs/netpol_ingress`]);
    expect(attach.output).toBe('');
    expect(attach.ok).toBe(true);
    const shown = execFileSync('tc', ['filter', 'show', 'dev', lab.host, 'egress'], { encoding: 'utf8' });
    expect(shown).toContain('netpol_ingress');
  });

  test('without PERFMON the verifier refuses the programs (packet pointer comparisons need it)', () => {
    const loaded = loadAndPin(['BPF', 'NET_ADMIN']);
    expect(loaded.ok).toBe(false);
    expect(loaded.output).toContain('pointer comparison prohibited');
  });

  test('without NET_ADMIN the kernel refuses to load tc programs at all', () => {
    const loaded = loadAndPin(['BPF', 'PERFMON']);
    expect(loaded.ok).toBe(false);
    // The maps are made (CAP_BPF); the program load itself is refused with EPERM (-1).
    expect(loaded.output).toMatch(/prog 'netpol_ingress': failed to load: -1\b/);
  });

  test('without BPF nothing loads at all (libbpf\'s first probe program is refused)', () => {
    const loaded = loadAndPin(['NET_ADMIN', 'PERFMON']);
    expect(loaded.ok).toBe(false);
    expect(loaded.output).toMatch(/Couldn't load trivial BPF program|Operation not permitted/);
  });
});

/**
 * The image's file layout (agent-image/Dockerfile's runtime stage) in a temporary directory: lib/ compiled to dist/lib
 * (by swc, file by file), the binding, the object, binding.gyp as the package root marker, node_modules linked.
 */
function imageLayout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-image-layout-'));
  const compile = (from: string, to: string): void => {
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) compile(source, path.join(to, entry.name));
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        fs.mkdirSync(to, { recursive: true });
        const { code } = transformFileSync(source, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
        fs.writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), code);
      }
    }
  };
  compile(path.join(ROOT, 'lib'), path.join(dir, 'dist', 'lib'));
  for (const file of ['package.json', 'binding.gyp']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'build', 'Release', 'netpol.node'), path.join(dir, 'build', 'Release', 'netpol.node'));
  fs.mkdirSync(path.join(dir, 'bpf', 'build'), { recursive: true });
  fs.copyFileSync(OBJECT, path.join(dir, 'bpf', 'build', 'netpol.bpf.o'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** GET a path of the agent; resolves with the status code (0 when nothing answers). */
function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('error', () => resolve(0));
    request.once('timeout', () => { request.destroy(); resolve(0); });
  });
}

describeKernel('the agent itself, holding only the DaemonSet\'s capabilities, in the image\'s layout', () => {
  let lab: VethLab;
  let layout: string;
  let pinDir: string;
  let agent: ChildProcess | undefined;

  beforeAll(() => {
    if (!fs.existsSync(OBJECT)) execFileSync('make', ['-C', path.join(ROOT, 'bpf')], { stdio: 'pipe' });
    lab = makeVethLab();
    layout = imageLayout();
    pinDir = makePinDir();
    fs.rmdirSync(pinDir);
    fs.mkdirSync(path.join(layout, 'manifests'));
    fs.writeFileSync(path.join(layout, 'manifests', 'shop.yaml'), [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
      `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web, image: nginx}]}\nstatus: {podIP: ${lab.peerIp}, podIPs: [{ip: ${lab.peerIp}}]}`,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}',
    ].join('\n---\n'));
  });

  afterAll(() => {
    agent?.kill('SIGKILL');
    if (pinDir) fs.rmSync(pinDir, { recursive: true, force: true });
    lab?.remove();
    if (layout) fs.rmSync(layout, { recursive: true, force: true });
  });

  /** Starts the agent like the DaemonSet does (ENTRYPOINT + args), waits until /readyz answers 200; returns its output. */
  async function startAgent(): Promise<{ output: () => string }> {
    let output = '';
    agent = spawn('setpriv', [
      '--bounding-set', ['-all', ...POLICY_AGENT_CAPABILITIES.map((c) => `+${c.toLowerCase()}`)].join(','), '--inh-caps', '-all', '--',
      process.execPath, 'dist/lib/cli/main.js', 'agent', '--manifests', 'manifests', '--all-local', '--mode', 'strict',
      '--pin-dir', pinDir, '--listen', '127.0.0.1:0',
    ], { cwd: layout, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (chunk) => { output += chunk; });
    agent.stderr!.on('data', (chunk) => { output += chunk; });
    for (let waited = 0; waited < 30_000; waited += 250) {
      const listening = /"address":"127\.0\.0\.1:(\d+)".*"event":"listening"/.exec(output);
      if (listening && (await get(Number(listening[1]), '/readyz')) === 200) return { output: () => output };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the agent did not become ready within 30 s:\n${output}`);
  }

  function stopAgent(): Promise<void> {
    return new Promise((resolve) => {
      agent!.once('exit', () => resolve());
      agent!.kill('SIGKILL');
    });
  }

  test('it attaches to the pod\'s veth and gets ready, re-adopts its pins after SIGKILL, and uninstalls', async () => {
    const first = await startAgent();
    expect(fs.readdirSync(path.join(pinDir, 'links')).sort()).toEqual([`${lab.host}-egress`, `${lab.host}-ingress`]);
    expect(first.output()).toContain('"event":"probe attached"');
    expect(first.output()).not.toMatch(/Operation not permitted|EPERM/);
    await stopAgent();

    const second = await startAgent();
    expect(second.output()).toContain('"adopted":true');
    await stopAgent();
    agent = undefined;

    const uninstall = withCapabilities(POLICY_AGENT_CAPABILITIES, [process.execPath, path.join(layout, 'dist/lib/cli/main.js'), 'agent', 'uninstall', '--pin-dir', pinDir]);
    expect(uninstall.output).toContain('2 link(s) detached');
    expect(fs.existsSync(pinDir)).toBe(false);
  });
});

