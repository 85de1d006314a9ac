/**
 * enforce / reprogram against the real data-plane object: a pod in its own network namespace behind a veth, the
 * policy compiled into pinned maps, both programs attached by TCX, and real TCP connections from the node side.
 * Runs as root; skips elsewhere, saying why.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BpfMap, LAYOUT, MAP, enforce, reprogram } from '../../lib/dataplane';
import { EnforceOptions } from '../../lib/dataplane/enforce';
import { ClusterState } from '../../lib/model/types';
import { VethLab, describeKernel, makePinDir, makeVethLab } from './kernel-env';
import { block, cluster, pod, policy } from './model-builders';

const ROOT = path.resolve(__dirname, '..', '..');
const OBJECT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');

/** Does a TCP connection from this (node) namespace to host:port complete within three seconds? */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Three seconds: a loaded CI machine can take over one to complete a handshake that policy allows.
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

describeKernel('enforce and reprogram', () => {
  let lab: VethLab;
  let pinDir: string;
  let listener: ChildProcess | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(OBJECT)) execFileSync('make', ['-C', path.join(ROOT, 'bpf')], { stdio: 'pipe' });
    lab = makeVethLab();
    pinDir = makePinDir();
    // Listeners on 8080 and 9090 inside the pod's namespace.
    const script = "const net=require('net');let n=0;for(const p of [8080,9090])net.createServer(s=>s.end()).listen(p,'0.0.0.0',()=>{if(++n===2)console.log('ready')});";
    listener = spawn('nsenter', [`--net=/run/netns/${lab.netns}`, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      listener!.stdout!.once('data', () => resolve());
      listener!.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
    });
  });

  afterAll(() => {
    listener?.kill();
    // Removing the pins detaches the TCX links and frees the maps.
    if (pinDir) fs.rmSync(pinDir, { recursive: true, force: true });
    lab?.remove();
  });

  const web = () => pod('shop/web', { app: 'web' }, [lab.peerIp], [{ name: 'admin', port: 9090, protocol: 'TCP' }]);
  const options = (state: ClusterState): EnforceOptions => ({ objectPath: OBJECT, pinDir, cluster: state, pods: [{ id: 'shop/web', ifname: lab.host }] });
  const fromNode = (ports: (number | string)[]) => policy('shop/web-in', { matchLabels: { app: 'web' } }, {
    ingress: [{ peers: [{ ipBlock: block(`${lab.hostIp}/32`) }], ports: ports.map((port) => ({ protocol: 'TCP' as const, port })) }],
  });

  test('enforce pins the maps, attaches both programs and allows only the policy\'s port', async () => {
    expect(await connects(lab.peerIp, 9090)).toBe(true);
    const result = enforce(options(cluster([web()], [fromNode([8080])])));
    expect(result.attachMode).toBe('tcx');
    expect(result.problems).toEqual([]);
    expect(fs.readdirSync(path.join(pinDir, 'links')).sort()).toEqual([`${lab.host}-egress`, `${lab.host}-ingress`]);

    const cidrs = BpfMap.openPinned(path.join(pinDir, 'maps', MAP.inCidrs));
    try {
      expect(cidrs.keySize).toBe(LAYOUT.netpol_cidr_key.size);
      expect(cidrs.dump().count).toBe(1);
    } finally {
      cidrs.close();
    }
    expect(await connects(lab.peerIp, 8080)).toBe(true);
    expect(await connects(lab.peerIp, 9090)).toBe(false);
  });

  test('reprogram writes only the difference, and a named port resolves on the pod', async () => {
    const result = reprogram(options(cluster([web()], [fromNode([8080, 'admin'])])));
    // One new port set and the CIDR entry pointing at it.
    expect({ updates: result.updates, deletes: result.deletes }).toEqual({ updates: 2, deletes: 1 });
    expect(result.attachMode).toBeUndefined();
    expect(await connects(lab.peerIp, 9090)).toBe(true);
    expect(await connects(lab.peerIp, 8080)).toBe(true);
  });

  test('removing the policy opens the pod again; a deny-all policy closes it', async () => {
    reprogram(options(cluster([web()], [])));
    expect(await connects(lab.peerIp, 9090)).toBe(true);
    reprogram(options(cluster([web()], [policy('shop/deny', {}, { ingress: [] })])));
    expect(await connects(lab.peerIp, 8080)).toBe(false);
  });
});
