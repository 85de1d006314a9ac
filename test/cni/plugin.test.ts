/**
 * eks-netpol-cni, command by command, against a fake agent on a real unix socket: what it sends the agent, what it
 * prints for the runtime, and every bad input answered in the CNI error format.
 */
import * as os from 'os';
import * as path from 'path';
import { runPlugin } from '../../lib/cni/plugin';
import { FakeAgent, FakeAnswer, RecordedRequest, reply, startFakeAgent } from './fake-agent';

/** A VPC CNI result: host veth, the pod's eth0 in its sandbox, and the bookkeeping dummy entry it appends. */
const VPC_CNI_RESULT = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'eni3a52ce78095' },
    { name: 'eth0', sandbox: '/var/run/netns/cni-1234' },
    { name: 'dummy3a52ce78095', mac: '0', sandbox: '0' },
  ],
  ips: [{ address: '10.0.12.7/32', interface: 1 }],
  dns: {},
};

const POD_ARGS = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-7d4f;K8S_POD_INFRA_CONTAINER_ID=abc';

function env(command: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { CNI_COMMAND: command, CNI_CONTAINERID: 'abc', CNI_NETNS: '/var/run/netns/cni-1234', CNI_IFNAME: 'eth0', CNI_ARGS: POD_ARGS, CNI_PATH: '/opt/cni/bin', ...extra };
}

function config(socketPath: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ cniVersion: '1.0.0', name: 'aws-cni', type: 'eks-netpol-cni', agentSocket: socketPath, timeoutMs: 2000, prevResult: VPC_CNI_RESULT, ...extra });
}

function errorOf(stdout: string): { cniVersion: string; code: number; msg: string; details?: string } {
  return JSON.parse(stdout);
}

describe('eks-netpol-cni', () => {
  let agent: FakeAgent;
  let answer: (request: RecordedRequest) => FakeAnswer;
  const missingSocket = path.join(os.tmpdir(), `eks-netpol-no-agent-${process.pid}.sock`);

  beforeAll(async () => {
    agent = await startFakeAgent((request) => answer(request));
  });
  afterAll(() => agent.close());
  beforeEach(() => {
    agent.requests.length = 0;
    answer = () => reply(200, { admitted: true, milliseconds: 3 });
  });

  describe('VERSION', () => {
    test('lists the supported versions and answers in the requested one', async () => {
      const output = await runPlugin({ env: { CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"0.4.0"}' });
      expect(output.exitCode).toBe(0);
      expect(JSON.parse(output.stdout)).toEqual({ cniVersion: '0.4.0', supportedVersions: ['0.4.0', '1.0.0'] });
    });

    test('answers without a configuration on stdin', async () => {
      const output = await runPlugin({ env: { CNI_COMMAND: 'VERSION' }, stdin: '' });
      expect(JSON.parse(output.stdout).supportedVersions).toEqual(['0.4.0', '1.0.0']);
    });
  });

  describe('ADD', () => {
    test('announces the host-side veth and the addresses, waits for the admission, and prints prevResult unchanged', async () => {
      const stdin = config(agent.socketPath);
      const output = await runPlugin({ env: env('ADD'), stdin });
      expect(output).toEqual({ exitCode: 0, stdout: `${JSON.stringify(VPC_CNI_RESULT)}\n`, stderr: '' });
      expect(agent.requests).toEqual([{
        route: '/v1/cni/add',
        body: { namespace: 'shop', name: 'web-7d4f', containerId: 'abc', ifname: 'eni3a52ce78095', ips: ['10.0.12.7'], timeoutMs: 2000 },
      }]);
    });

    test('finds the host veth in a branch-ENI result, whose dummy entry has no sandbox', async () => {
      const prevResult = { ...VPC_CNI_RESULT, interfaces: [{ name: 'vlan3a52ce78095' }, { name: 'eth0', sandbox: '/var/run/netns/x' }, { name: 'dummy3a52ce78095', mac: '7' }] };
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult }) });
      expect(output.exitCode).toBe(0);
      expect(agent.requests[0].body.ifname).toBe('vlan3a52ce78095');
    });

    test('takes the only host-side interface of a result whose ips name no interface (0.4.0, dual stack)', async () => {
      const prevResult = { cniVersion: '0.4.0', interfaces: [{ name: 'veth9', mac: '0a:58:0a:00:00:01' }, { name: 'eth0', sandbox: '/proc/1/ns/net' }], ips: [{ version: '4', address: '10.0.0.9/24' }, { version: '6', address: 'fd00::9/64' }] };
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { cniVersion: '0.4.0', prevResult }) });
      expect(output.exitCode).toBe(0);
      expect(JSON.parse(output.stdout)).toEqual(prevResult);
      expect(agent.requests[0].body).toMatchObject({ ifname: 'veth9', ips: ['10.0.0.9', 'fd00::9'] });
    });

    test('fills in cniVersion when prevResult lacks it', async () => {
      const bare: Partial<typeof VPC_CNI_RESULT> = { ...VPC_CNI_RESULT };
      delete bare.cniVersion;
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult: bare }) });
      expect(JSON.parse(output.stdout)).toEqual({ cniVersion: '1.0.0', ...bare });
    });

    test('without prevResult it fails, saying the plugin must follow the one that creates the veth', async () => {
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult: undefined }) });
      expect(output.exitCode).toBe(1);
      expect(errorOf(output.stdout)).toMatchObject({ cniVersion: '1.0.0', code: 7 });
      expect(errorOf(output.stdout).msg).toMatch(/no prevResult: eks-netpol-cni is a chained plugin and must come after .*aws-cni/);
      expect(agent.requests).toEqual([]);
    });

    test('a prevResult without a host-side interface is refused', async () => {
      const prevResult = { ...VPC_CNI_RESULT, interfaces: [{ name: 'eth0', sandbox: '/var/run/netns/x' }] };
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult }) });
      expect(errorOf(output.stdout)).toMatchObject({ code: 7 });
      expect(errorOf(output.stdout).msg).toContain('lists no host-side interface (an entry without "sandbox")');
    });

    test('a prevResult without addresses, or with an address that is not an IP, is refused', async () => {
      const none = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult: { ...VPC_CNI_RESULT, ips: [] } }) });
      expect(errorOf(none.stdout).msg).toContain('prevResult has no ips');
      const bad = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { prevResult: { ...VPC_CNI_RESULT, ips: [{ address: 'ten/32' }] } }) });
      expect(errorOf(bad.stdout).msg).toContain('prevResult.ips has an address that is not an IP: "ten/32"');
    });

    test('bad JSON on stdin is a decoding error (code 6) with the parser\'s message', async () => {
      const output = await runPlugin({ env: env('ADD'), stdin: '{"cniVersion": "1.0.0",' });
      expect(output.exitCode).toBe(1);
      const error = errorOf(output.stdout);
      expect(error).toMatchObject({ code: 6, msg: 'the network configuration on stdin is not JSON' });
      expect(error.details).toMatch(/JSON/);
    });

    test('an unsupported cniVersion is an incompatible-version error (code 1) naming the versions spoken', async () => {
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { cniVersion: '0.3.1' }) });
      expect(errorOf(output.stdout)).toMatchObject({ code: 1 });
      expect(errorOf(output.stdout).msg).toContain('speaks CNI 0.4.0 and 1.0.0, but the configuration\'s cniVersion is "0.3.1"');
    });

    test.each([
      [{ mode: 'paranoid' }, '"mode" is "paranoid": use "strict" or "standard"'],
      [{ agentSocket: 'cni.sock' }, '"agentSocket" is "cni.sock", not an absolute path'],
      [{ timeoutMs: 5 }, '"timeoutMs" is 5: give milliseconds from 100 to 300000'],
      [{ prevResult: [] }, '"prevResult" is not an object'],
    ])('an invalid field of its configuration (%j) is an invalid-configuration error naming the field', async (extra, message) => {
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, extra) });
      expect(errorOf(output.stdout)).toMatchObject({ code: 7 });
      expect(errorOf(output.stdout).msg).toContain(message);
    });

    test('missing CNI_* variables are an environment error (code 4) listing them', async () => {
      const output = await runPlugin({ env: env('ADD', { CNI_CONTAINERID: undefined, CNI_NETNS: '' }), stdin: config(agent.socketPath) });
      expect(errorOf(output.stdout)).toMatchObject({ code: 4 });
      expect(errorOf(output.stdout).msg).toContain('CNI_CONTAINERID, CNI_NETNS not set');
    });

    test('CNI_ARGS without the pod\'s namespace and name is an environment error', async () => {
      const output = await runPlugin({ env: env('ADD', { CNI_ARGS: 'IgnoreUnknown=1' }), stdin: config(agent.socketPath) });
      expect(errorOf(output.stdout)).toMatchObject({ code: 4 });
      expect(errorOf(output.stdout).msg).toContain('no K8S_POD_NAMESPACE and K8S_POD_NAME');
    });

    test('strict mode: an agent that cannot program the pod fails ADD with its reason', async () => {
      answer = () => reply(503, { error: 'programming failed: the kernel refused' });
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { mode: 'strict' }) });
      expect(output.exitCode).toBe(1);
      const error = errorOf(output.stdout);
      expect(error).toMatchObject({ code: 100, details: 'HTTP 503' });
      expect(error.msg).toContain('ADD of pod shop/web-7d4f (eni3a52ce78095): the agent answered HTTP 503: programming failed: the kernel refused');
      expect(error.msg).toContain('the kubelet retries');
    });

    test('strict mode: an unreachable agent fails ADD with try-again-later (code 11), naming the socket and the fix', async () => {
      const output = await runPlugin({ env: env('ADD'), stdin: config(missingSocket, { mode: 'strict' }) });
      expect(output.exitCode).toBe(1);
      const error = errorOf(output.stdout);
      expect(error.code).toBe(11);
      expect(error.msg).toContain(`the eks-netpol agent at ${missingSocket} did not answer: ENOENT`);
      expect(error.msg).toContain('eks-netpol agent uninstall-cni');
    });

    test('strict mode: an agent that does not answer in timeoutMs fails ADD within that time', async () => {
      answer = () => 'hang';
      const started = Date.now();
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { mode: 'strict', timeoutMs: 300 }) });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(errorOf(output.stdout)).toMatchObject({ code: 11 });
      expect(errorOf(output.stdout).msg).toContain('no answer within 300 ms');
    });

    test('strict mode: an answer that is not JSON is treated as an unreachable agent', async () => {
      answer = () => ({ status: 200, body: 'ok' });
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { mode: 'strict' }) });
      expect(errorOf(output.stdout).msg).toContain('HTTP 200 with a body that is not JSON: ok');
    });

    test('standard mode: an unreachable agent is a warning on stderr and the pod starts', async () => {
      const output = await runPlugin({ env: env('ADD'), stdin: config(missingSocket) });
      expect(output.exitCode).toBe(0);
      expect(JSON.parse(output.stdout)).toEqual(VPC_CNI_RESULT);
      expect(output.stderr).toContain('eks-netpol-cni: warning: ADD of pod shop/web-7d4f (eni3a52ce78095)');
      expect(output.stderr).toContain('standard mode lets the pod start, open until the agent programs it');
    });

    test('standard mode: an agent refusing the pod is a warning too', async () => {
      answer = () => reply(503, { error: 'not programmed within 8000 ms' });
      const output = await runPlugin({ env: env('ADD'), stdin: config(agent.socketPath, { mode: 'standard' }) });
      expect(output.exitCode).toBe(0);
      expect(output.stderr).toContain('the agent answered HTTP 503: not programmed within 8000 ms');
    });
  });

  describe('DEL', () => {
    test('tells the agent which pod and sandbox went away, and prints nothing', async () => {
      const output = await runPlugin({ env: env('DEL', { CNI_NETNS: '' }), stdin: config(agent.socketPath) });
      expect(output).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      expect(agent.requests).toEqual([{ route: '/v1/cni/del', body: { namespace: 'shop', name: 'web-7d4f', containerId: 'abc' } }]);
    });

    test('succeeds with a warning when the agent is gone, even in strict mode', async () => {
      const output = await runPlugin({ env: env('DEL'), stdin: config(missingSocket, { mode: 'strict' }) });
      expect(output.exitCode).toBe(0);
      expect(output.stderr).toContain('DEL of pod shop/web-7d4f not told to the agent');
    });

    test('succeeds without asking the agent when CNI_ARGS names no pod', async () => {
      const output = await runPlugin({ env: env('DEL', { CNI_ARGS: undefined }), stdin: config(agent.socketPath) });
      expect(output.exitCode).toBe(0);
      expect(agent.requests).toEqual([]);
    });
  });

  describe('CHECK', () => {
    test('succeeds silently when the agent says the pod is admitted', async () => {
      const output = await runPlugin({ env: env('CHECK'), stdin: config(agent.socketPath, { mode: 'strict' }) });
      expect(output).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      expect(agent.requests[0]).toMatchObject({ route: '/v1/cni/check', body: { namespace: 'shop', name: 'web-7d4f', ifname: 'eni3a52ce78095' } });
    });

    test('fails in either mode when the agent says the pod is not enforced', async () => {
      answer = () => reply(503, { error: 'pod shop/web-7d4f could not be programmed' });
      for (const mode of ['standard', 'strict']) {
        const output = await runPlugin({ env: env('CHECK'), stdin: config(agent.socketPath, { mode }) });
        expect(output.exitCode).toBe(1);
        expect(errorOf(output.stdout)).toMatchObject({ code: 100, msg: 'the eks-netpol agent does not enforce pod shop/web-7d4f: pod shop/web-7d4f could not be programmed' });
      }
    });

    test('an unreachable agent fails CHECK in strict mode and is a warning in standard mode', async () => {
      const strict = await runPlugin({ env: env('CHECK'), stdin: config(missingSocket, { mode: 'strict' }) });
      expect(errorOf(strict.stdout)).toMatchObject({ code: 11 });
      const standard = await runPlugin({ env: env('CHECK'), stdin: config(missingSocket) });
      expect(standard.exitCode).toBe(0);
      expect(standard.stderr).toContain('warning: CHECK of pod shop/web-7d4f');
    });
  });

  test('an unknown CNI_COMMAND is an environment error naming the commands handled', async () => {
    const output = await runPlugin({ env: env('GC'), stdin: config(agent.socketPath) });
    expect(errorOf(output.stdout)).toMatchObject({ code: 4, msg: 'CNI_COMMAND "GC" is not supported: eks-netpol-cni handles ADD, DEL, CHECK and VERSION' });
  });
});
