/**
 * Strict mode without a window, in the kernel: the compiled agent runs in the lab's node namespace with its CNI socket;
 * pods are then added as a CNI adds them (namespace, veth, addresses, route) and the installed eks-netpol-cni runs
 * ADD as the container runtime would (nsenter into the node namespace, CNI_* environment, the conflist entry plus
 * prevResult on stdin). The moment ADD exits, the pod's first packets are already judged by its policies:
 * - shop/late, known to the agent's manifests: late -> web:8080 connects on its first SYN, late -> other:8080 (its
 *   egress policy forbids it) does not;
 * - shop/ghost, unknown to the agent: every packet from and to it is dropped;
 * - shop/stray, a veth nobody announced (the control): its traffic flows, which is the window ADD closes.
 * Also: a SIGKILL and restart (saved admissions keep both pods enforced), CHECK, DEL (the links go at the next
 * programming), aws-node rewriting its conflist, and an unreachable agent (strict fails, standard warns).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Prober, startListener } from '../../lib/lab/agents';
import { LabHost, Topology, addPod } from '../../lib/lab/topology';
import { describeKernel } from '../support/kernel-env';
import { AgentProcess, CLI } from './agent-process';
import { AgentLab, PODS, WEB, buildAgentLab, ensureBuilt, podsYaml, webPolicyYaml } from './lab-fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const LATE = { id: 'shop/late', ip: '10.98.0.5', labels: { app: 'late' } };
const OTHER_IP = PODS.find((p) => p.id === 'shop/other')!.ip;
const PORT = 8080;

/** late may reach web:8080 and nothing else. */
const LATE_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: late-egress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: late
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: web
      ports:
        - protocol: TCP
          port: 8080
`;

/** The VPC CNI's conflist, before eks-netpol-cni joins its chain. */
const AWS_CONFLIST = `{
  "cniVersion": "1.0.0",
  "name": "aws-cni",
  "plugins": [
    { "name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni" },
    { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }
  ]
}
`;

interface CniRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describeKernel('strict mode: a pod added through eks-netpol-cni is enforced before its first packet', () => {
  let lab: AgentLab;
  let work: string;
  let socketPath: string;
  let binDir: string;
  let confDir: string;
  let agent: AgentProcess;
  const probers = new Map<string, Prober>();
  const pods = new Map<string, LabHost>();
  let topology: Topology;
  let manifestsDir: string;

  /** Runs the installed plugin as the container runtime does for `host`, and resolves when it has exited. */
  const cni = (command: string, host: LabHost, override: Record<string, unknown> = {}): Promise<CniRun> => {
    const entry = JSON.parse(fs.readFileSync(path.join(confDir, '10-aws.conflist'), 'utf8')).plugins.find((p: { type: string }) => p.type === 'eks-netpol-cni');
    const prevResult = {
      cniVersion: '1.0.0',
      // What the VPC CNI reports: the host veth, the pod's eth0 in its sandbox, and its bookkeeping dummy entry.
      interfaces: [{ name: host.hostInterface }, { name: 'eth0', sandbox: `/run/netns/${host.namespace}` }, { name: `dummy${host.hostInterface}`, mac: '0', sandbox: '0' }],
      ips: host.ips.map((ip) => ({ address: `${ip}/32`, interface: 1 })),
    };
    const [namespace, name] = host.id.split('/');
    const child: ChildProcess = spawn('nsenter', [`--net=/run/netns/${lab.topology.node}`, path.join(binDir, 'eks-netpol-cni')], {
      env: {
        PATH: process.env.PATH, CNI_COMMAND: command, CNI_CONTAINERID: `sandbox-${name}`, CNI_NETNS: `/run/netns/${host.namespace}`, CNI_IFNAME: 'eth0',
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=sandbox-${name}`, CNI_PATH: binDir,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.stdin!.end(JSON.stringify({ cniVersion: '1.0.0', name: 'aws-cni', ...entry, ...override, prevResult }));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  };

  /** A pod wired as the CNI wires it, with a listener on 8080 and a prober, before any ADD. */
  const wirePod = async (id: string, ip: string): Promise<LabHost> => {
    // Recorded in the lab's registry, so that lab.close() removes it with the rest.
    const added = addPod(topology, { id, ips: [ip] }, lab.registry);
    topology = added.topology;
    lab.registry.add('pids', (await startListener(added.host.namespace, { tcp: [PORT], udp: [] })).pid!);
    const prober = new Prober(added.host.namespace);
    lab.registry.add('pids', prober.pid);
    probers.set(id, prober);
    pods.set(id, added.host);
    // Wait until the prober runs (a probe of nothing), so that nothing but the probes below sends a packet.
    await prober.probe([], 100);
    return added.host;
  };
  /** The agent, with late not among its node's pods: only late's ADD tells it that late runs here. */
  const startAgent = async (): Promise<void> => {
    agent = new AgentProcess(lab.topology.node, ['--manifests', manifestsDir, '--node-pods', 'shop/web,shop/client,shop/other', '--mode', 'strict',
      '--pin-dir', lab.pinDir, '--listen', '127.0.0.1:0', '--cni-socket', socketPath, '--cni-conf-dir', confDir]);
    lab.registry.add('pids', agent.pid);
    await agent.waitFor((e) => e.event === 'listening' && e.cniSocket === socketPath);
  };
  const reaches = async (from: string, ip: string, timeoutMs: number): Promise<boolean> =>
    (await (probers.get(from) ?? lab.probers.get(from))!.probe([{ address: ip, port: PORT, protocol: 'TCP' }], timeoutMs))[0];

  beforeAll(async () => {
    ensureBuilt();
    if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'cni', 'main.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'lib', 'agent', 'cni-server.js'))) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    }
    lab = await buildAgentLab('c');
    topology = lab.topology;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-admission-'));
    socketPath = path.join(work, 'run', 'cni.sock');
    binDir = path.join(work, 'opt', 'cni', 'bin');
    confDir = path.join(work, 'etc', 'cni', 'net.d');
    fs.mkdirSync(confDir, { recursive: true });
    fs.writeFileSync(path.join(confDir, '10-aws.conflist'), AWS_CONFLIST);
    execFileSync(process.execPath, [CLI, 'agent', 'install-cni', '--bin-dir', binDir, '--conf-dir', confDir, '--mode', 'strict',
      '--cni-socket', socketPath, '--node-binary', process.execPath], { stdio: 'pipe' });
    // other listens too: nothing but late's own egress policy stands between late and other.
    const otherNamespace = lab.topology.hosts.find((h) => h.id === 'shop/other')!.namespace;
    lab.registry.add('pids', (await startListener(otherNamespace, { tcp: [PORT], udp: [] })).pid!);

    const manifests = path.join(work, 'manifests');
    fs.mkdirSync(manifests);
    fs.writeFileSync(path.join(manifests, 'pods.yaml'), podsYaml([LATE]));
    fs.writeFileSync(path.join(manifests, 'web.yaml'), webPolicyYaml('late'));
    fs.writeFileSync(path.join(manifests, 'late.yaml'), LATE_EGRESS);
    manifestsDir = manifests;
    await wirePod(LATE.id, LATE.ip);
    await wirePod('shop/stray', '10.98.0.7');
  }, 120_000);

  afterAll(async () => {
    await agent?.kill();
    for (const prober of probers.values()) prober.close();
    const failures = lab?.close() ?? [];
    if (work) fs.rmSync(work, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  test('late, ADDed before the agent could read the desired state: ADD fails rather than start it unenforced', async () => {
    // As at a node's boot with the API server out of reach: the agent runs, but knows no desired state yet.
    fs.writeFileSync(path.join(manifestsDir, 'broken.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\n  namespace: shop\nspec:\n  podSelector: 7\n');
    // late is in the cluster but not (yet) on this node: only its ADD tells the agent where it runs.
    await startAgent();
    await agent.waitFor((e) => e.event === 'error' && e.stage === 'source');
    const add = await cni('ADD', pods.get(LATE.id)!, { timeoutMs: 1500 });
    expect(add.code).toBe(1);
    const error = JSON.parse(add.stdout);
    expect(error.code).toBe(100);
    expect(error.msg).toContain(`ADD of pod shop/late (${pods.get(LATE.id)!.hostInterface}): the agent answered HTTP 503: pod shop/late was not programmed within 1250 ms`);
    expect(agent.events.some((e) => e.event === 'policy programmed')).toBe(false);
  });

  test('late, ADDed again (the kubelet retries) as the state becomes readable: its first SYNs are judged by its policies', async () => {
    const late = pods.get(LATE.id)!;
    fs.rmSync(path.join(manifestsDir, 'broken.yaml'));
    const add = await cni('ADD', late);
    // No wait of any kind between ADD's exit and the first packets.
    const [toWeb, toOther] = await Promise.all([reaches(LATE.id, WEB.ip, 900), reaches(LATE.id, OTHER_IP, 1500)]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout).interfaces[0]).toEqual({ name: late.hostInterface });
    // 900 ms is less than TCP's first SYN retransmission (1 s): only the first SYN could have made this connection.
    expect(toWeb).toBe(true);
    expect(toOther).toBe(false);
    // The answer came after a programming, never before: 'pod admitted' follows the first 'policy programmed'.
    const admitted = agent.events.findIndex((e) => e.event === 'pod admitted' && e.pod === LATE.id);
    const programmed = agent.events.findIndex((e) => e.event === 'policy programmed');
    expect(programmed).toBeGreaterThanOrEqual(0);
    expect(admitted).toBeGreaterThan(programmed);
    expect(agent.events[admitted]).toMatchObject({ command: 'ADD', ifname: late.hostInterface, ips: [LATE.ip], containerId: 'sandbox-late' });
    expect((await cni('CHECK', late)).code).toBe(0);
  });

  test('the installed plugin is in the chain, and the agent serves its socket (0600)', () => {
    const chain = JSON.parse(fs.readFileSync(path.join(confDir, '10-aws.conflist'), 'utf8')).plugins.map((p: { type: string }) => p.type);
    expect(chain).toEqual(['aws-cni', 'portmap', 'eks-netpol-cni']);
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  test('aws-node writing its conflist anew drops the plugin; the agent puts it back', async () => {
    const from = agent.events.length;
    fs.writeFileSync(path.join(confDir, '10-aws.conflist'), AWS_CONFLIST);
    await agent.waitFor((e) => e.event === 'cni chained', from);
    expect(JSON.parse(fs.readFileSync(path.join(confDir, '10-aws.conflist'), 'utf8')).plugins.at(-1))
      .toEqual({ type: 'eks-netpol-cni', mode: 'strict', agentSocket: socketPath, timeoutMs: 10000 });
  });

  test('control: a veth nobody announced is not enforced, so its packets flow (the window ADD closes)', async () => {
    await agent.programmed();
    expect(await reaches('shop/stray', OTHER_IP, 1500)).toBe(true);
    expect(await reaches('shop/stray', WEB.ip, 1500)).toBe(false); // web's own ingress policy admits late only
  });

  test('ghost, unknown to the agent: after ADD every packet from and to it is dropped', async () => {
    const ghost = await wirePod('shop/ghost', '10.98.0.6');
    const add = await cni('ADD', ghost);
    const observed = await Promise.all([
      reaches('shop/ghost', OTHER_IP, 1500),
      reaches('shop/ghost', WEB.ip, 1500),
      reaches('shop/client', ghost.ips[0], 1500),
    ]);
    expect(add.code).toBe(0);
    expect(observed).toEqual([false, false, false]);
  });

  test('killed with SIGKILL and restarted, the agent keeps late and ghost enforced: no denied packet passes at any point', async () => {
    // Neither pod is among the agent's node pods: only their saved admissions tell the new agent to keep them.
    let stop = false;
    const observed: boolean[] = [];
    const loop = (async () => {
      while (!stop) observed.push(...await Promise.all([reaches('shop/ghost', OTHER_IP, 200), reaches(LATE.id, OTHER_IP, 200)]));
    })();
    await new Promise((r) => setTimeout(r, 300));
    await agent.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    await startAgent();
    await agent.programmed();
    await agent.waitFor((e) => e.event === 'pod admitted' && e.command === 'RESTORE' && e.pod === 'shop/ghost');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await loop;
    expect(observed.length).toBeGreaterThan(6);
    expect(observed.filter(Boolean)).toEqual([]);
    expect(agent.events.filter((e) => e.event === 'pod admitted' && e.command === 'RESTORE').map((e) => e.pod).sort()).toEqual(['shop/ghost', LATE.id]);
    expect(await reaches(LATE.id, WEB.ip, 900)).toBe(true);
  });

  test('DEL releases the pod: the agent forgets it and detaches its links at the next programming', async () => {
    const ghost = pods.get('shop/ghost')!;
    const from = agent.events.length;
    const del = await cni('DEL', ghost);
    expect(del).toEqual({ code: 0, stdout: '', stderr: '' });
    await agent.waitFor((e) => e.event === 'pod released' && e.pod === 'shop/ghost', from);
    await agent.programmed(from);
    const pins = fs.readdirSync(path.join(lab.pinDir, 'links'));
    expect(pins.filter((p) => p.startsWith(`${ghost.hostInterface}-`))).toEqual([]);
    expect(pins.filter((p) => p.startsWith(`${pods.get(LATE.id)!.hostInterface}-`)).sort()).toEqual([`${pods.get(LATE.id)!.hostInterface}-egress`, `${pods.get(LATE.id)!.hostInterface}-ingress`]);
  });

  test('an unreachable agent: strict ADD fails with a CNI error the kubelet retries, standard ADD starts the pod with a warning', async () => {
    const stray = pods.get('shop/stray')!;
    const missing = path.join(work, 'run', 'gone.sock');
    const strict = await cni('ADD', stray, { agentSocket: missing });
    expect(strict.code).toBe(1);
    const error = JSON.parse(strict.stdout);
    expect(error).toMatchObject({ cniVersion: '1.0.0', code: 11 });
    expect(error.msg).toContain(`the eks-netpol agent at ${missing} did not answer: ENOENT`);
    const standard = await cni('ADD', stray, { agentSocket: missing, mode: 'standard' });
    expect(standard.code).toBe(0);
    expect(JSON.parse(standard.stdout).ips).toEqual([{ address: '10.98.0.7/32', interface: 1 }]);
    expect(standard.stderr).toContain('warning: ADD of pod shop/stray');
  });

  test('a stopped agent takes its socket with it: strict ADD then fails, and DEL still succeeds', async () => {
    expect(await agent.kill('SIGTERM')).toBe(0);
    expect(fs.existsSync(socketPath)).toBe(false);
    const late = pods.get(LATE.id)!;
    const add = await cni('ADD', late);
    expect(add.code).toBe(1);
    expect(JSON.parse(add.stdout).code).toBe(11);
    expect((await cni('DEL', late)).code).toBe(0);
    // Enforcement stays: late's egress policy still holds.
    expect(await reaches(LATE.id, OTHER_IP, 1000)).toBe(false);
  });
});
