/**
 * The agent in API mode, in the kernel: the compiled agent runs inside the lab's node namespace and watches Pods,
 * Namespaces and NetworkPolicies on the fake API server (list/watch, bookmarks, 410 Gone); real TCP connections
 * between the lab's pods show that what the API holds is what the kernel enforces.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeApiServer, fakeKubeconfig } from '../support/fake-apiserver';
import { describeKernel } from '../support/kernel-env';
import { AgentProcess } from './agent-process';
import { AgentLab, PODS, agentHttp, buildAgentLab, ensureBuilt, relayIntoNamespace } from './lab-fixture';

const NODE = 'node-a';

/* eslint-disable @typescript-eslint/no-explicit-any */
function webPolicy(from: string): any {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: from } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    },
  };
}

describeKernel('eks-netpol agent --node-name (API mode) against a Kubernetes API, in the kernel', () => {
  const api = new FakeApiServer();
  let lab: AgentLab;
  let relay: { port: number; close: () => void };
  let dir: string;
  let agent: AgentProcess;
  let address = '';

  /** Waits until the kernel agrees: client and other reach web exactly as given (each denial waits its timeout). */
  const expectReach = async (expected: { client: boolean; other: boolean }) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const seen = { client: await lab.reachesWeb('shop/client', 300), other: await lab.reachesWeb('shop/other', 300) };
      if ((seen.client === expected.client && seen.other === expected.other) || Date.now() > deadline) {
        expect(seen).toEqual(expected);
        return;
      }
    }
  };

  /** 'ready', or the /readyz body when the agent is still not ready after a few seconds. */
  const readiness = async (): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ready = agentHttp(lab.topology.node, address, '/readyz');
      if (ready.status === 200) return 'ready';
      if (Date.now() > deadline) return ready.body;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    ensureBuilt();
    lab = await buildAgentLab('a');
    const base = await api.start();
    relay = await relayIntoNamespace(lab, Number(new URL(base).port));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-agent-api-'));
    fs.writeFileSync(path.join(dir, 'kubeconfig'), fakeKubeconfig(`http://127.0.0.1:${relay.port}`));
    api.apply('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } });
    for (const pod of PODS) {
      const [namespace, name] = pod.id.split('/');
      api.apply('pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: pod.labels },
        spec: { nodeName: NODE, containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
        status: { podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
      });
    }
    // A pod of another node: a peer only.
    api.apply('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'far', namespace: 'shop', labels: { app: 'far' } },
      spec: { nodeName: 'node-b', containers: [{ name: 'app', image: 'app:1' }] }, status: { podIP: '10.97.0.5' },
    });
    agent = new AgentProcess(lab.topology.node, ['--node-name', NODE, '--kubeconfig', path.join(dir, 'kubeconfig'),
      // Its own CNI socket: the API-mode default (/run/eks-netpol/cni.sock) belongs to the node, not to a test.
      '--pin-dir', lab.pinDir, '--listen', '127.0.0.1:0', '--cni-socket', path.join(dir, 'cni.sock')]);
    lab.registry.add('pids', agent.pid);
    address = String((await agent.waitFor((e) => e.event === 'listening')).address);
  }, 60_000);

  afterAll(async () => {
    await agent?.kill();
    relay?.close();
    await api.stop();
    const failures = lab?.close() ?? [];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  test('programs this node\'s pods after the first list, and annotates each one', async () => {
    const programmed = await agent.programmed();
    expect(programmed).toMatchObject({ pods: 3, pending: 0 });
    for (const pod of PODS) await agent.waitFor((e) => e.event === 'pod annotated' && e.pod === pod.id);
    for (const pod of PODS) {
      const [namespace, name] = pod.id.split('/');
      expect(api.get('pods', namespace, name)?.metadata.annotations?.['eks-netpol.io/programmed']).toBe(String(programmed.generation));
    }
    expect(api.get('pods', 'shop', 'far')?.metadata.annotations).toBeUndefined();
    expect(await readiness()).toBe('ready');
    // Writing the annotations (pod updates) does not reprogram: no generation after the first.
    expect(agent.events.filter((e) => e.event === 'policy programmed')).toHaveLength(1);
    await expectReach({ client: true, other: true });
  });

  test('a policy created, changed and deleted on the API server takes effect in the kernel', async () => {
    api.apply('networkpolicies', webPolicy('client'));
    await expectReach({ client: true, other: false });
    api.apply('networkpolicies', webPolicy('other'));
    await expectReach({ client: false, other: true });
    api.delete('networkpolicies', 'shop', 'web');
    await expectReach({ client: true, other: true });
  });

  test('after a 410 Gone the informers re-list, and changes made meanwhile are enforced', async () => {
    api.apply('networkpolicies', webPolicy('client'));
    await expectReach({ client: true, other: false });
    const lists = () => api.requests.filter((r) => r.startsWith('GET /apis/networking.k8s.io/v1/networkpolicies') && !r.includes('watch=')).length;
    const before = lists();
    api.compact();
    api.apply('networkpolicies', webPolicy('other'));
    await expectReach({ client: false, other: true });
    expect(lists()).toBeGreaterThan(before);
    api.bookmark();
    expect(agent.child.exitCode).toBeNull();
  });

  test('an unreachable API server is logged and retried while enforcement stays', async () => {
    const from = agent.events.length;
    api.failWith = 503;
    api.closeWatches();
    const error = await agent.waitFor((e) => e.event === 'error' && e.stage === 'source', from);
    expect(error).toHaveProperty('retryInMs');
    expect(agentHttp(lab.topology.node, address, '/readyz').status).toBe(503);
    await expectReach({ client: false, other: true });
    api.failWith = undefined;
    expect(await readiness()).toBe('ready');
    api.apply('networkpolicies', webPolicy('client'));
    await expectReach({ client: true, other: false });
  });
});
