/**
 * Throughput between two lab pods with iperf3: without enforcement, with our programs holding 10,000 prefixes in the
 * server pod's ingress map, and with 10,000 iptables rules in the node's FORWARD chain instead (what rule-per-peer
 * enforcement costs). Same topology, same run; medians of several transfers.
 * Standalone: `node dist/bench/dataplane/throughput.js`; `npm run bench:dataplane` runs it last.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Enforcer } from '../../lib/lab/enforcement';
import { defaultObjectPath } from '../../lib/lab/lab';
import { RunRegistry } from '../../lib/lab/registry';
import { runInNetns, spawnInNetns } from '../../lib/lab/shell';
import { buildTopology } from '../../lib/lab/topology';
import { parseCidr } from '../../lib/model/cidr';
import { ClusterState, PolicyPeer } from '../../lib/model/types';

const PREFIXES = 10_000;
const SECONDS = 3;
const ROUNDS = 3;
const TARGET_RATIO = 0.9;
const CLIENT = '10.250.3.1';
const SERVER = '10.250.3.2';

/** 10,000 distinct /32 peers in 10.100.0.0/16, none of them the client. */
function decoys(): string[] {
  return Array.from({ length: PREFIXES }, (_, i) => `10.100.${i >> 8}.${i & 255}`);
}

function cluster(): ClusterState {
  const peers: PolicyPeer[] = [...decoys(), CLIENT].map((ip) => ({ ipBlock: { cidr: parseCidr(`${ip}/32`)!, except: [] } }));
  return {
    namespaces: [{ name: 'bench', labels: { 'kubernetes.io/metadata.name': 'bench' }, declared: true }],
    pods: [
      { id: 'bench/client', namespace: 'bench', name: 'client', kind: 'Pod', labels: { app: 'client' }, ports: [], ips: [CLIENT] },
      { id: 'bench/server', namespace: 'bench', name: 'server', kind: 'Pod', labels: { app: 'server' }, ports: [], ips: [SERVER] },
    ],
    policies: [{
      id: 'bench/server-ingress', namespace: 'bench', name: 'server-ingress', podSelector: { matchLabels: { app: 'server' } },
      policyTypes: ['Ingress'], ingress: [{ peers, ports: [{ protocol: 'TCP', port: 5201 }] }], egress: [],
    }],
    services: [],
    nodes: [],
    endpointSlices: [],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Median of ROUNDS iperf3 transfers from client to server, in Gbit/s. */
function measure(client: string): number {
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const report = JSON.parse(runInNetns(client, 'iperf3', ['-c', SERVER, '-t', String(SECONDS), '-J']));
    rates.push(report.end.sum_received.bits_per_second / 1e9);
  }
  return median(rates);
}

export async function runThroughputBench(): Promise<void> {
  console.log('\n== eks-netpol data plane: throughput between two lab pods (iperf3, TCP) ==');
  if (process.getuid?.() !== 0) {
    console.log('SKIPPED: needs root (network namespaces, eBPF).');
    return;
  }
  const registryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-bench-'));
  const runId = `b${process.pid.toString(36)}`;
  const registry = new RunRegistry(runId, registryDir);
  const pinDir = `/sys/fs/bpf/eks-netpol-bench-${runId}`;
  registry.add('pinDirs', pinDir);
  try {
    const topology = buildTopology(runId, [
      { id: 'bench/client', kind: 'pod', ips: [CLIENT] },
      { id: 'bench/server', kind: 'pod', ips: [SERVER] },
    ], registry);
    const [client, server] = topology.hosts;
    const iperf = spawnInNetns(server.namespace, 'iperf3', ['-s']);
    registry.add('pids', iperf.pid!);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const plain = measure(client.namespace);

    // iptables: one ACCEPT per peer, then a drop, in the node's FORWARD chain (the order a rule-per-peer agent writes).
    const rules = ['*filter', ':FORWARD ACCEPT [0:0]',
      ...decoys().map((ip) => `-A FORWARD -s ${ip}/32 -d ${SERVER}/32 -p tcp --dport 5201 -j ACCEPT`),
      `-A FORWARD -s ${CLIENT}/32 -d ${SERVER}/32 -p tcp --dport 5201 -j ACCEPT`,
      `-A FORWARD -s ${SERVER}/32 -j ACCEPT`,
      `-A FORWARD -d ${SERVER}/32 -j DROP`, 'COMMIT', ''];
    runInNetns(topology.node, 'iptables-restore', [], rules.join('\n'));
    const iptables = measure(client.namespace);
    runInNetns(topology.node, 'iptables', ['-F', 'FORWARD']);

    const enforcer = new Enforcer(topology);
    registry.add('pids', enforcer.pid);
    await enforcer.run({
      objectPath: defaultObjectPath(), pinDir, cluster: cluster(), mode: 'standard', reprogram: false,
      pods: topology.hosts.map((h) => ({ id: h.id, ifname: h.hostInterface, ips: h.ips })),
    });
    const ebpf = measure(client.namespace);
    enforcer.close();

    const ratio = ebpf / plain;
    console.log(`iperf3 -t ${SECONDS}, median of ${ROUNDS}, client -> server, ${PREFIXES.toLocaleString('en-US')} prefixes:`);
    console.log(`  no enforcement                       ${plain.toFixed(2)} Gbit/s`);
    console.log(`  eks-netpol eBPF (10,000 /32 peers)    ${ebpf.toFixed(2)} Gbit/s  ${(ratio * 100).toFixed(0)}% of no enforcement (target >= ${TARGET_RATIO * 100}%: ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'})`);
    console.log(`  iptables (10,000 rules in FORWARD)   ${iptables.toFixed(2)} Gbit/s  ${((iptables / plain) * 100).toFixed(0)}% of no enforcement`);
  } finally {
    const leftovers = registry.cleanUp();
    fs.rmSync(registryDir, { recursive: true, force: true });
    for (const leftover of leftovers) console.log(`could not remove ${leftover}`);
  }
}

if (require.main === module) {
  runThroughputBench().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
