/**
 * The agent in local mode, in the kernel: the compiled agent runs inside the lab's node namespace on a manifests
 * directory, and real TCP connections between the lab's pods show what it enforces, across a policy change, a
 * SIGKILL and restart (a probe loop runs across it), a pod whose interface cannot be found, and uninstall.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCluster } from '../../lib/manifests';
import { Reachability } from '../../lib/verdict/reachability';
import { describeKernel } from '../support/kernel-env';
import { AgentProcess, CLI } from './agent-process';
import { AgentLab, WEB, agentHttp, buildAgentLab, ensureBuilt, podsYaml, webPolicyYaml } from './lab-fixture';

describeKernel('eks-netpol agent --manifests (local mode) in the kernel', () => {
  let lab: AgentLab;
  let dir: string;
  let agent: AgentProcess;
  let address = '';
  const agentArgs = () => ['--manifests', dir, '--all-local', '--pin-dir', lab.pinDir, '--listen', '127.0.0.1:0'];
  const predicted = (from: string) => new Reachability(loadCluster([dir])).check(from, WEB.id, WEB.port).allowed;

  const start = async (): Promise<AgentProcess> => {
    const started = new AgentProcess(lab.topology.node, agentArgs());
    lab.registry.add('pids', started.pid);
    address = String((await started.waitFor((e) => e.event === 'listening')).address);
    return started;
  };

  beforeAll(async () => {
    ensureBuilt();
    lab = await buildAgentLab('l');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-agent-'));
    fs.writeFileSync(path.join(dir, 'pods.yaml'), podsYaml());
    fs.writeFileSync(path.join(dir, 'policy.yaml'), webPolicyYaml('client'));
  }, 60_000);

  afterAll(async () => {
    await agent?.kill();
    const failures = lab?.close() ?? [];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  test('programs the pods of the manifests: connections are made exactly where reach predicts', async () => {
    agent = await start();
    await agent.programmed();
    const attached = agent.events.filter((e) => e.event === 'probe attached').map((e) => e.pod).sort();
    expect(attached).toEqual(['shop/client', 'shop/other', 'shop/web']);
    expect(predicted('shop/client')).toBe(true);
    expect(predicted('shop/other')).toBe(false);
    expect(await lab.reachesWeb('shop/client', 3000)).toBe(true);
    expect(await lab.reachesWeb('shop/other')).toBe(false);
  });

  test('is ready, and its metrics count the programming and the entries it wrote', async () => {
    expect(agentHttp(lab.topology.node, address, '/healthz').status).toBe(200);
    const ready = agentHttp(lab.topology.node, address, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, programmedGeneration: 1 });
    const metrics = agentHttp(lab.topology.node, address, '/metrics').body;
    expect(metrics).toMatch(/^eks_netpol_programming_duration_seconds_count 1$/m);
    expect(metrics).toMatch(/^eks_netpol_local_pods\{state="programmed"\} 3$/m);
    // web's ingress admits client's one address: one host entry.
    expect(metrics).toMatch(/^eks_netpol_map_entries\{map="netpol_in_host"\} [1-9]/m);
  });

  test('a changed policy file takes effect without a restart', async () => {
    const from = agent.events.length;
    fs.writeFileSync(path.join(dir, 'policy.yaml'), webPolicyYaml('other'));
    const programmed = await agent.programmed(from);
    expect(programmed.generation).toBe(2);
    expect(predicted('shop/client')).toBe(false);
    expect(await lab.reachesWeb('shop/other', 3000)).toBe(true);
    expect(await lab.reachesWeb('shop/client')).toBe(false);
  });

  test('a malformed file is reported with its location and the last good state stays enforced', async () => {
    const from = agent.events.length;
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\n  namespace: shop\nspec:\n  podSelector: 7\n');
    const error = await agent.waitFor((e) => e.event === 'error' && e.stage === 'source', from);
    expect(String(error.message)).toContain('broken.yaml:7');
    expect(agentHttp(lab.topology.node, address, '/readyz').status).toBe(503);
    expect(await lab.reachesWeb('shop/client')).toBe(false);
    expect(await lab.reachesWeb('shop/other', 3000)).toBe(true);
    fs.rmSync(path.join(dir, 'broken.yaml'));
    await agent.waitFor(() => agentHttp(lab.topology.node, address, '/readyz').status === 200, from);
  });

  test('killed with SIGKILL and restarted, it lets no denied connection through at any point', async () => {
    // A probe loop from client (denied) runs across the kill, the gap and the restart.
    let stop = false;
    const observed: boolean[] = [];
    const loop = (async () => {
      while (!stop) observed.push(await lab.reachesWeb('shop/client', 200));
    })();
    await new Promise((r) => setTimeout(r, 300));
    await agent.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    agent = await start();
    await agent.programmed();
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await loop;
    expect(observed.length).toBeGreaterThan(3);
    expect(observed.filter(Boolean)).toEqual([]);
    // The restarted agent adopted the pinned links rather than attaching anew, and rewrote nothing.
    const attached = agent.events.filter((e) => e.event === 'probe attached');
    expect(attached.every((e) => e.adopted === true)).toBe(true);
    expect(agent.events.find((e) => e.event === 'policy programmed')).toMatchObject({ updates: 0, deletes: 0 });
    expect(await lab.reachesWeb('shop/other', 3000)).toBe(true);
  });

  test('a local pod whose interface cannot be found is logged and retried, and readiness says so', async () => {
    const from = agent.events.length;
    fs.writeFileSync(path.join(dir, 'pods.yaml'), podsYaml([{ id: 'shop/ghost', ip: '10.98.0.99', labels: { app: 'ghost' } }]));
    const first = await agent.waitFor((e) => e.event === 'error' && e.stage === 'veth', from);
    expect(first).toMatchObject({ pod: 'shop/ghost', ips: ['10.98.0.99'] });
    expect(String(first.message)).toContain('10.98.0.99');
    // Retried with a growing delay.
    const second = await agent.waitFor((e) => e.event === 'error' && e.stage === 'veth' && e !== first, from);
    expect(Number(second.retryInMs)).toBeGreaterThan(Number(first.retryInMs));
    const ready = agentHttp(lab.topology.node, address, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).reason).toContain('shop/ghost');
    expect(agent.child.exitCode).toBeNull();
    expect(await lab.reachesWeb('shop/client')).toBe(false);
    fs.writeFileSync(path.join(dir, 'pods.yaml'), podsYaml());
    await agent.programmed(agent.events.length);
    expect(agentHttp(lab.topology.node, address, '/readyz').status).toBe(200);
  });

  test('SIGTERM leaves enforcement in place, and uninstall removes every link and pin', async () => {
    expect(await agent.kill('SIGTERM')).toBe(0);
    expect(agent.events.at(-1)).toMatchObject({ event: 'stopping', enforcement: 'left in place' });
    expect(await lab.reachesWeb('shop/client')).toBe(false);
    expect(fs.readdirSync(path.join(lab.pinDir, 'links')).sort()).toEqual(['p0-egress', 'p0-ingress', 'p1-egress', 'p1-ingress', 'p2-egress', 'p2-ingress']);
    execFileSync('nsenter', [`--net=/run/netns/${lab.topology.node}`, process.execPath, CLI, 'agent', 'uninstall', '--pin-dir', lab.pinDir], { stdio: 'pipe' });
    expect(fs.existsSync(lab.pinDir)).toBe(false);
    expect(await lab.reachesWeb('shop/client', 3000)).toBe(true);
    // No TCX program is left on the lab's veths.
    const links = JSON.parse(execFileSync('ip', ['-n', lab.topology.node, '-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string; xdp?: unknown }[];
    const tcx = execFileSync('nsenter', [`--net=/run/netns/${lab.topology.node}`, 'bpftool', 'net', 'show'], { encoding: 'utf8' });
    for (const link of links.filter((l) => /^p\d$/.test(l.ifname))) expect(tcx).not.toContain(`${link.ifname}(`);
  });
});
