/**
 * The DaemonSet's capability set against the real kernel: a process holding exactly POLICY_AGENT_CAPABILITIES (uid 0,
 * every other capability out of its bounding set, as the container runtime sets it up for our securityContext) loads
 * bpf/build/netpol.bpf.o, pins its programs and maps in bpffs and attaches a program to a veth; and each capability
 * is needed: without it the kernel refuses. The agent attaches with TCX links (bpf_link_create), bpftool here cannot,
 * so the test attaches through tc: the kernel asks CAP_NET_ADMIN of both.
 * Runs as root; skips elsewhere, saying why (and fails in CI).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
