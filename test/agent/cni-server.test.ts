/**
 * The agent's CNI socket with a stand-in reconciler, driven by the real plugin (runPlugin) and by raw requests: ADD
 * answers only once the admission resolved, failures and slowness become 503 with the reason, bad announcements 400,
 * DEL forgets the pod (not for an older sandbox), CHECK re-admits what this process does not know, and the socket is
 * private, replaces a stale file and refuses a live one.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CniServer, CniSocketError, PodAdmitter } from '../../lib/agent/cni-server';
import { EventLog } from '../../lib/agent/events';
import { AgentMetrics } from '../../lib/agent/metrics';
import { postToAgent } from '../../lib/cni/agent-client';
import { runPlugin } from '../../lib/cni/plugin';

type AdmittedPod = Parameters<PodAdmitter['admit']>[0];

/** A reconciler stand-in: records calls, and each admission waits until the test settles it. */
class FakeAdmitter implements PodAdmitter {
  readonly admitted: AdmittedPod[] = [];
  readonly forgotten: string[] = [];
  outcome: () => Promise<void> = () => Promise.resolve();

  admit(pod: AdmittedPod): Promise<void> {
    this.admitted.push(pod);
    return this.outcome();
  }

  forget(id: string): void {
    this.forgotten.push(id);
  }
}

const PREV_RESULT = { cniVersion: '1.0.0', interfaces: [{ name: 'eni42' }, { name: 'eth0', sandbox: '/var/run/netns/p' }], ips: [{ address: '10.0.3.4/32', interface: 1 }] };

describe('the agent\'s CNI socket', () => {
  let dir: string;
  let socketPath: string;
  let admitter: FakeAdmitter;
  let events: Record<string, unknown>[];
  let metrics: AgentMetrics;
  let server: CniServer;

  const plugin = (command: string, extra: Record<string, unknown> = {}, containerId = 'sandbox-1') => runPlugin({
    env: { CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: '/var/run/netns/p', CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAMESPACE=shop;K8S_POD_NAME=late' },
    stdin: JSON.stringify({ cniVersion: '1.0.0', name: 'aws-cni', type: 'eks-netpol-cni', mode: 'strict', agentSocket: socketPath, prevResult: PREV_RESULT, ...extra }),
  });
  const errorCount = async () => (await metrics.errors.get()).values.find((v) => v.labels.stage === 'cni')?.value ?? 0;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cni-server-'));
    socketPath = path.join(dir, 'run', 'eks-netpol', 'cni.sock');
    admitter = new FakeAdmitter();
    events = [];
    metrics = new AgentMetrics({ processMetrics: false });
    const log = new EventLog({ write: (line: string) => events.push(JSON.parse(line)) });
    server = new CniServer({ socketPath, admitter, log, metrics, admitTimeoutMs: 2000 });
    await server.listen();
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('ADD is answered only once the admission resolved, and the pod admitted is logged with its latency', async () => {
    let settle!: () => void;
    admitter.outcome = () => new Promise<void>((resolve) => { settle = resolve; });
    let finished = false;
    const add = plugin('ADD').then((output) => { finished = true; return output; });
    await new Promise((r) => setTimeout(r, 150));
    expect(admitter.admitted).toEqual([{ id: 'shop/late', ifname: 'eni42', ips: ['10.0.3.4'] }]);
    expect(finished).toBe(false);
    settle();
    const output = await add;
    expect(output.exitCode).toBe(0);
    expect(JSON.parse(output.stdout)).toEqual(PREV_RESULT);
    const admitted = events.find((e) => e.event === 'pod admitted');
    expect(admitted).toMatchObject({ command: 'ADD', pod: 'shop/late', ifname: 'eni42', ips: ['10.0.3.4'], containerId: 'sandbox-1' });
    expect(Number(admitted!.milliseconds)).toBeGreaterThanOrEqual(100);
    expect((await metrics.admissionSeconds.get()).values.find((v) => v.metricName === 'eks_netpol_admission_duration_seconds_count')?.value).toBe(1);
  });

  test('an admission that fails is a 503 with the reason, an error event with the pod, and a counted cni error', async () => {
    admitter.outcome = () => Promise.reject(new Error('programming failed: attach to eni42: No such device'));
    const output = await plugin('ADD');
    expect(output.exitCode).toBe(1);
    expect(JSON.parse(output.stdout).msg).toContain('the agent answered HTTP 503: programming failed: attach to eni42: No such device');
    expect(events.find((e) => e.event === 'error')).toMatchObject({ stage: 'cni', command: 'ADD', pod: 'shop/late', ifname: 'eni42', message: 'programming failed: attach to eni42: No such device' });
    expect(await errorCount()).toBe(1);
  });

  test('an admission slower than the plugin waits is answered 503 before the plugin gives up', async () => {
    admitter.outcome = () => new Promise<void>(() => undefined);
    const output = await plugin('ADD', { timeoutMs: 1000 });
    const error = JSON.parse(output.stdout);
    expect(error.code).toBe(100);
    expect(error.msg).toContain('pod shop/late was not programmed within 750 ms');
  });

  test.each([
    [{ namespace: 'shop', name: 'late', containerId: 'c', ips: ['10.0.3.4'] }, '"ifname" undefined is not an interface name'],
    [{ namespace: 'shop', name: 'late', containerId: 'c', ifname: 'eni42', ips: ['10.0.3.4/32'] }, '"ips" has "10.0.3.4/32", which is not an IP address (no prefix length)'],
    [{ namespace: 'shop', name: 'late', containerId: 'c', ifname: 'eni42', ips: [] }, '"ips" must list the pod\'s addresses (1 to 16)'],
    [{ namespace: 'Shop', name: 'late', containerId: 'c', ifname: 'eni42', ips: ['10.0.3.4'] }, '"namespace" "Shop" is not a namespace name'],
    [{ namespace: 'shop', name: 'late', ifname: 'eni42', ips: ['10.0.3.4'] }, '"containerId" must be the CNI_CONTAINERID of the sandbox'],
    [{ namespace: 'shop', name: 'late', containerId: 'c', ifname: 'a-very-long-interface', ips: ['10.0.3.4'] }, 'is not an interface name (1 to 15 characters'],
  ])('a bad announcement (%j) is refused with 400 and the reason, and nothing is admitted', async (body, reason) => {
    const reply = await postToAgent(socketPath, '/v1/cni/add', body, 2000);
    expect(reply.status).toBe(400);
    expect(reply.answer.error).toContain(reason);
    expect(admitter.admitted).toEqual([]);
    expect(await errorCount()).toBe(1);
  });

  test('a body that is not JSON is a 400, another method a 405, another route a 404', async () => {
    const raw = (method: string, route: string, body: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath, path: route, method }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const notJson = await raw('POST', '/v1/cni/add', '{"namespace":');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error).toMatch(/^the body is not JSON: /);
    expect((await raw('GET', '/v1/cni/add', '')).status).toBe(405);
    const unknown = await raw('POST', '/v1/pods', '{}');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toBe('no route /v1/pods: the routes are /v1/cni/add, /v1/cni/del, /v1/cni/check');
  });

  test('CHECK of an admitted pod answers at once; of a pod this process does not know, it admits it again', async () => {
    expect((await plugin('ADD')).exitCode).toBe(0);
    expect((await plugin('CHECK')).exitCode).toBe(0);
    expect(admitter.admitted).toHaveLength(1);
    const other = await runPlugin({
      env: { CNI_COMMAND: 'CHECK', CNI_CONTAINERID: 's9', CNI_NETNS: '/var/run/netns/q', CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAMESPACE=shop;K8S_POD_NAME=other' },
      stdin: JSON.stringify({ cniVersion: '1.0.0', name: 'aws-cni', type: 'eks-netpol-cni', mode: 'strict', agentSocket: socketPath, prevResult: PREV_RESULT }),
    });
    expect(other.exitCode).toBe(0);
    expect(admitter.admitted.map((p) => p.id)).toEqual(['shop/late', 'shop/other']);
    expect(events.filter((e) => e.event === 'pod admitted').map((e) => e.command)).toEqual(['ADD', 'CHECK']);
  });

  test('a restarted agent announces again what the last one admitted, before it serves', async () => {
    expect((await plugin('ADD')).exitCode).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(socketPath), 'admissions.json'), 'utf8')))
      .toEqual([{ namespace: 'shop', name: 'late', containerId: 'sandbox-1', ifname: 'eni42', ips: ['10.0.3.4'] }]);
    await server.close();
    const restarted = new FakeAdmitter();
    const restartedEvents: Record<string, unknown>[] = [];
    server = new CniServer({ socketPath, admitter: restarted, log: new EventLog({ write: (l: string) => restartedEvents.push(JSON.parse(l)) }), metrics });
    await server.listen();
    expect(restarted.admitted).toEqual([{ id: 'shop/late', ifname: 'eni42', ips: ['10.0.3.4'] }]);
    await new Promise((r) => setImmediate(r));
    expect(restartedEvents).toEqual([expect.objectContaining({ event: 'pod admitted', command: 'RESTORE', pod: 'shop/late' })]);
    expect((await plugin('CHECK')).exitCode).toBe(0);
  });

  test('a restored admission the reconciler refuses (its veth is gone) is dropped and logged', async () => {
    expect((await plugin('ADD')).exitCode).toBe(0);
    await server.close();
    const restarted = new FakeAdmitter();
    restarted.outcome = () => Promise.reject(new Error('no interface eni42'));
    const restartedEvents: Record<string, unknown>[] = [];
    server = new CniServer({ socketPath, admitter: restarted, log: new EventLog({ write: (l: string) => restartedEvents.push(JSON.parse(l)) }), metrics });
    await server.listen();
    await new Promise((r) => setImmediate(r));
    expect(restartedEvents).toEqual([expect.objectContaining({ event: 'error', stage: 'cni', command: 'RESTORE', pod: 'shop/late', message: 'no interface eni42', action: 'admission dropped' })]);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(socketPath), 'admissions.json'), 'utf8'))).toEqual([]);
  });

  test('DEL makes the reconciler forget the pod, but a DEL of an older sandbox of the same pod is ignored', async () => {
    expect((await plugin('ADD', {}, 'sandbox-2')).exitCode).toBe(0);
    expect((await plugin('DEL', {}, 'sandbox-1')).exitCode).toBe(0);
    expect(admitter.forgotten).toEqual([]);
    expect(events.find((e) => e.event === 'pod released')).toMatchObject({ pod: 'shop/late', containerId: 'sandbox-1', ignored: 'the pod\'s current sandbox is sandbox-2' });
    expect((await plugin('DEL', {}, 'sandbox-2')).exitCode).toBe(0);
    expect(admitter.forgotten).toEqual(['shop/late']);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(socketPath), 'admissions.json'), 'utf8'))).toEqual([]);
  });

  test('the socket is readable and writable by its owner only, in the directory it created', () => {
    expect(fs.statSync(socketPath).isSocket()).toBe(true);
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  test('a stale socket file (an agent killed) is replaced; a live one and a file that is no socket are refused', async () => {
    const other = path.join(dir, 'other.sock');
    // A socket file nobody listens on any more: what SIGKILL leaves behind.
    const killed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(other)}, () => console.log('up'))`]);
    await new Promise((resolve) => killed.stdout.once('data', resolve));
    await new Promise((resolve) => { killed.once('exit', resolve); killed.kill('SIGKILL'); });
    expect(fs.statSync(other).isSocket()).toBe(true);
    const replacing = new CniServer({ socketPath: other, admitter, log: new EventLog({ write: () => undefined }), metrics });
    await replacing.listen();
    expect((await postToAgent(other, '/v1/cni/check', { namespace: 'shop', name: 'x', containerId: 'c', ifname: 'e', ips: ['10.0.0.1'] }, 2000)).status).toBe(200);

    const second = new CniServer({ socketPath: other, admitter, log: new EventLog({ write: () => undefined }), metrics });
    await expect(second.listen()).rejects.toThrow(CniSocketError);
    await expect(second.listen()).rejects.toThrow(`another process serves ${other} (a second agent on this node?)`);
    await replacing.close();
    expect(fs.existsSync(other)).toBe(false);

    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'x');
    await expect(new CniServer({ socketPath: plain, admitter, log: new EventLog({ write: () => undefined }), metrics }).listen())
      .rejects.toThrow(`${plain} exists and is not a socket: remove it, or give another --cni-socket`);
  });
});
