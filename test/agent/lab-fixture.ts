/**
 * A small lab for the agent tests: three pods of namespace shop (web listening on TCP 8080, client, other), each in
 * its own network namespace behind a veth into the node namespace, and a prober in client and other.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Prober, startListener } from '../../lib/lab/agents';
import { RunRegistry } from '../../lib/lab/registry';
import { spawnInNetns } from '../../lib/lab/shell';
import { buildTopology, Topology } from '../../lib/lab/topology';
import { policyYaml } from '../model/fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

export const WEB = { id: 'shop/web', ip: '10.98.0.2', port: 8080 };
export const PODS = [
  { id: 'shop/web', ip: WEB.ip, labels: { app: 'web' } },
  { id: 'shop/client', ip: '10.98.0.3', labels: { app: 'client' } },
  { id: 'shop/other', ip: '10.98.0.4', labels: { app: 'other' } },
];

export interface AgentLab {
  readonly registry: RunRegistry;
  readonly topology: Topology;
  readonly pinDir: string;
  readonly probers: Map<string, Prober>;
  /** Does a TCP connection from `from` to web:8080 complete within `timeoutMs`? */
  reachesWeb(from: string, timeoutMs?: number): Promise<boolean>;
  close(): string[];
}

/** Builds bpf/ and dist/ when missing: the agent runs as a compiled process. */
export function ensureBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o'))) execFileSync('make', ['-C', path.join(ROOT, 'bpf')], { stdio: 'pipe' });
  if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'agent', 'agent.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
}

export async function buildAgentLab(tag: string): Promise<AgentLab> {
  RunRegistry.reapStale();
  const runId = `ag${tag}${process.pid.toString(36)}`;
  const registry = new RunRegistry(runId);
  const pinDir = `/sys/fs/bpf/eks-netpol-agent-${runId}`;
  registry.add('pinDirs', pinDir);
  const topology = buildTopology(runId, PODS.map((p) => ({ id: p.id, kind: 'pod', ips: [p.ip] })), registry);
  const namespaceOf = (id: string) => topology.hosts.find((h) => h.id === id)!.namespace;
  const listener = await startListener(namespaceOf(WEB.id), { tcp: [WEB.port], udp: [] });
  registry.add('pids', listener.pid!);
  const probers = new Map<string, Prober>();
  for (const id of ['shop/client', 'shop/other']) {
    const prober = new Prober(namespaceOf(id));
    registry.add('pids', prober.pid);
    probers.set(id, prober);
  }
  return {
    registry, topology, pinDir, probers,
    reachesWeb: async (from, timeoutMs = 500) => {
      const [made] = await probers.get(from)!.probe([{ address: WEB.ip, port: WEB.port, protocol: 'TCP' }], timeoutMs);
      return made;
    },
    close: () => {
      for (const prober of probers.values()) prober.close();
      listener.kill('SIGKILL');
      return registry.cleanUp();
    },
  };
}

/** The namespace and pods as YAML (pods carry their IPs in status, as the API reports them). */
export function podsYaml(extra: readonly { id: string; ip: string; labels: Record<string, string> }[] = []): string {
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n`];
  for (const pod of [...PODS, ...extra]) {
    const [namespace, name] = pod.id.split('/');
    const labels = Object.entries(pod.labels).map(([k, v]) => `    ${k}: ${v}`).join('\n');
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n${labels}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      ports:\n        - containerPort: 8080\nstatus:\n  podIP: ${pod.ip}\n`);
  }
  return docs.join('---\n');
}

/** A policy on web admitting TCP 8080 from the pods labelled app=`from`. */
export function webPolicyYaml(from: string): string {
  return policyYaml(`podSelector:
  matchLabels:
    app: web
policyTypes: [Ingress]
ingress:
  - from:
      - podSelector:
          matchLabels:
            app: ${from}
    ports:
      - protocol: TCP
        port: 8080`);
}

/** GETs a path of the agent's HTTP endpoint, from inside the node namespace (where it listens on loopback). */
export function agentHttp(nodeNamespace: string, address: string, route: string): { status: number; body: string } {
  const script = `fetch('http://${address}${route}').then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))`;
  return JSON.parse(execFileSync('nsenter', [`--net=/run/netns/${nodeNamespace}`, process.execPath, '-e', script], { encoding: 'utf8' }));
}

/**
 * Makes a TCP port of this process's loopback reachable as 127.0.0.1:<returned port> inside a lab namespace
 * (loopback is per namespace): a relay in the namespace forwards each connection over a unix socket, which every
 * namespace shares through the file system, to a relay here. Both relays are recorded in the registry.
 */
export async function relayIntoNamespace(lab: AgentLab, targetPort: number): Promise<{ port: number; close: () => void }> {
  const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-relay-')), 'api.sock');
  const here = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => here.listen(socketPath, resolve));
  const script = `const net=require('net');const s=net.createServer((c)=>{const u=net.connect(${JSON.stringify(socketPath)});c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());});s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const child = spawnInNetns(lab.topology.node, process.execPath, ['-e', script]);
  lab.registry.add('pids', child.pid!);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`the relay in ${lab.topology.node} exited (${code})`)));
  });
  return {
    port,
    close: () => {
      child.kill('SIGKILL');
      here.close();
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true });
    },
  };
}
