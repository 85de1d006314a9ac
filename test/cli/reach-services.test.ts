/** `reach --to service/...`, `--from node...` and `--node`: through Services and from nodes, on the shop example. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './fake-io';

const SHOP = path.join(__dirname, '..', '..', 'examples', 'reach');
const SERVICES = path.join(__dirname, '..', '..', 'examples', 'services');

describe('eks-netpol reach --to service/NS/NAME', () => {
  test('judges each backend on its target port: web reaches api:80 (-> http 8080), prometheus only api:9090', async () => {
    const { code, stdout, stderr } = await runCli(['reach', SHOP, SERVICES, '--to', 'service/shop/api', '-o', 'json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { services, summary } = JSON.parse(stdout);
    const cells = services.map((s: { from: string; port: number; outcome: string; backends: { targetPort: number }[] }) =>
      `${s.from} ${s.port}->${s.backends.map((b) => b.targetPort).join(',')} ${s.outcome}`);
    expect(cells).toEqual([
      'monitoring/prometheus 80->8080 denied',
      'monitoring/prometheus 9090->9090 allowed',
      'shop/api 80->8080 denied',
      'shop/api 9090->9090 denied',
      'shop/db 80->8080 denied',
      'shop/db 9090->9090 denied',
      'shop/web 80->8080 allowed',
      'shop/web 9090->9090 denied',
    ]);
    expect(summary).toEqual({ probes: 8, allowed: 2, denied: 6, partial: 0, noBackends: 0 });
    // Each backend carries the probe contract of `reach -o json`.
    expect(services[6].backends[0]).toMatchObject({ backend: 'shop/api', targetPort: 8080, from: 'shop/web', to: 'shop/api', port: 8080, allowed: true, ingress: { isolated: true, allowedBy: ['shop/api-allow-web'] } });
  });

  test('--explain names the backend, the target port and the deciding rule; --port takes the Service port name', async () => {
    const { code, stdout } = await runCli(['reach', SHOP, SERVICES, '--from', 'shop/web', '--to', 'svc/api', '-n', 'shop', '--port', 'web', '--explain']);
    expect(code).toBe(0);
    expect(stdout).toContain('shop/web  service/shop/api  80/TCP -> http  allowed');
    expect(stdout).toContain('backend shop/api on 8080/TCP: allowed');
    expect(stdout).toContain('allowed by shop/api-allow-web ingress[0]');
    expect(stdout).toContain('1 probe through Services: 1 allowed, 0 denied, 0 partial, 0 without backends');
  });

  test('csv and md list the Service probes; other outputs and mixed destinations are refused with the fix', async () => {
    const csv = await runCli(['reach', SHOP, SERVICES, '--from', 'shop/web', '--to', 'service/shop/db', '-o', 'csv']);
    expect(csv.stdout).toBe('source,service,port,protocol,target_port,verdict\r\nshop/web,service/shop/db,5432,TCP,5432,denied\r\n');
    const md = await runCli(['reach', SHOP, SERVICES, '--from', 'shop/api', '--to', 'service/shop/db', '-o', 'md']);
    expect(md.stdout).toContain('| shop/api | service/shop/db | 5432/TCP -> 5432 | allowed |');
    const matrix = await runCli(['reach', SHOP, SERVICES, '--to', 'service/shop/db', '-o', 'matrix']);
    expect(matrix.code).toBe(2);
    expect(matrix.stderr).toMatch(/--output matrix does not print probes through Services. Use --output table, --output json/);
    const mixed = await runCli(['reach', SHOP, SERVICES, '--to', 'service/shop/db', '--to', 'shop/web']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/"shop\/web" is not a Service.*separate runs/);
  });

  test('an unknown Service, or a container port where a Service port is meant, exits 2 with the fix', async () => {
    const unknown = await runCli(['reach', SHOP, SERVICES, '--to', 'service/shop/apii']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('"service/shop/apii" is not a Service of the input. Its Services are "service/shop/api", "service/shop/db".');
    const port = await runCli(['reach', SHOP, SERVICES, '--to', 'service/shop/api', '--port', '8080']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('Service shop/api exposes no port 8080; it exposes 80/TCP ("web"), 9090/TCP ("metrics")');
  });
});

describe('eks-netpol reach --from node', () => {
  test('a node reaches its own pods under default deny; --node places pods by their host IP', async () => {
    const own = await runCli(['reach', SHOP, '--from', 'node', '--to', 'shop/web', '--port', '8080', '-o', 'json', '--explain']);
    expect(JSON.parse(own.stdout).probes[0]).toMatchObject({ from: 'node', to: 'shop/web', allowed: true, nodeLocal: true, ingress: { isolated: true, allowed: false } });
    // Workloads are on no known node: a named node reaches them only as an address, which default deny drops.
    const named = await runCli(['reach', SHOP, '--node', 'ip-10-0-1-5.ec2.internal=10.0.1.5', '--from', 'node/ip-10-0-1-5.ec2.internal', '--to', 'shop/web', '--port', '8080', '-o', 'json']);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout).probes[0]).toMatchObject({ from: 'node/ip-10-0-1-5.ec2.internal', allowed: false });
  });

  test('an unknown node or a malformed --node exits 2 naming the fix', async () => {
    const unknown = await runCli(['reach', SHOP, '--from', 'node/nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--from "node/nope" is not a node of the input. The input has no nodes');
    const bad = await runCli(['reach', SHOP, '--node', 'ip-10-0-1-5=not-an-ip']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--node "ip-10-0-1-5=not-an-ip": "not-an-ip" is not an IP address');
  });
});

describe('Services that have no ordinary backends', () => {
  const ODD = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: shop}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: shop}
spec: {type: ExternalName, externalName: api.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: lonely, namespace: empty}
spec: {selector: {app: x}, ports: [{port: 80, targetPort: web}]}
---
apiVersion: v1
kind: Service
metadata: {name: misnamed, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: htp}]}
`;

  test('a selectorless, headless, ExternalName, empty-namespace or misnamed Service gives an outcome, not a crash', async () => {
    const file = path.join(os.tmpdir(), `odd-services-${process.pid}.yaml`);
    fs.writeFileSync(file, ODD);
    try {
      const refs = ['service/shop/manual', 'service/shop/headless', 'service/empty/lonely', 'service/shop/misnamed'];
      const { code, stdout, stderr } = await runCli(['reach', file, '--from', 'shop/web', ...refs.flatMap((r) => ['--to', r]), '-o', 'json']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const outcomes = JSON.parse(stdout).services.map((s: { to: string; outcome: string; reason?: string }) => [s.to, s.outcome, s.reason ?? '']);
      expect(outcomes).toEqual([
        ['service/shop/manual', 'no-backends', expect.stringMatching(/no selector, and no EndpointSlice/)],
        ['service/shop/headless', 'allowed', ''],
        ['service/empty/lonely', 'no-backends', expect.stringMatching(/namespace empty has no pods/)],
        ['service/shop/misnamed', 'no-backends', expect.stringMatching(/declares no container port named "htp"/)],
      ]);
      // An ExternalName Service has no ports to probe: it is a DNS alias.
      const alias = await runCli(['reach', file, '--to', 'service/shop/alias']);
      expect(alias).toMatchObject({ code: 0 });
      expect(alias.stdout).toContain('0 probes through Services');
      const lint = await runCli(['lint', file]);
      expect(lint.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(lint.stdout + lint.stderr).toMatch(/service-target-port-undeclared/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('eks-netpol reach --to an address kube-proxy translates', () => {
  const TRANSLATED = `apiVersion: v1
kind: Service
metadata: {name: api-public, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: 172.20.0.10
  externalIPs: [198.51.100.10]
  selector: {app: api}
  ports: [{port: 80, targetPort: http, nodePort: 30080}]
status:
  loadBalancer:
    ingress: [{ip: 203.0.113.10}]
`;

  test('is refused, naming the Service to probe instead, for its cluster IP, external IP and load balancer IP', async () => {
    const file = path.join(os.tmpdir(), `eks-netpol-translated-${process.pid}.yaml`);
    fs.writeFileSync(file, TRANSLATED);
    try {
      for (const [address, role] of [['172.20.0.10', 'cluster IP'], ['198.51.100.10', 'external IP'], ['203.0.113.10', 'load balancer IP']]) {
        const run = await runCli(['reach', SHOP, file, '--from', 'shop/web', '--to', address]);
        expect(run).toMatchObject({ code: 2, stdout: '' });
        expect(run.stderr).toContain(`--to "${address}" is the ${role} of service/shop/api-public: kube-proxy translates its traffic to a backend`);
        expect(run.stderr).toContain('Probe --to service/shop/api-public');
      }
      const plain = await runCli(['reach', SHOP, file, '--from', 'shop/web', '--to', '198.51.100.11']);
      expect(plain.code).toBe(0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
