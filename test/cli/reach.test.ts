import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './fake-io';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'reach');

/** Every probe of examples/reach and its verdict, worked out by hand from the policies there. */
const EXPECTED_ALLOWED = new Map<string, boolean>([
  ['monitoring/prometheus -> monitoring/prometheus 9090', true],
  ['shop/api -> monitoring/prometheus 9090', true],
  ['shop/db -> monitoring/prometheus 9090', false], // db's egress is isolated with no rule
  ['shop/web -> monitoring/prometheus 9090', true],
  ['monitoring/prometheus -> shop/api 8080', false], // only `metrics` is open to monitoring
  ['shop/api -> shop/api 8080', false], // a workload against itself is replica traffic: default deny applies
  ['shop/db -> shop/api 8080', false],
  ['shop/web -> shop/api 8080', true], // api-allow-web, named port http
  ['monitoring/prometheus -> shop/api 9090', true], // api-allow-monitoring, named port metrics
  ['shop/api -> shop/api 9090', false],
  ['shop/db -> shop/api 9090', false],
  ['shop/web -> shop/api 9090', false],
  ['monitoring/prometheus -> shop/db 5432', false],
  ['shop/api -> shop/db 5432', true],
  ['shop/db -> shop/db 5432', false],
  ['shop/web -> shop/db 5432', false],
  ['monitoring/prometheus -> shop/web 8080', false], // default deny
  ['shop/api -> shop/web 8080', false],
  ['shop/db -> shop/web 8080', false],
  ['shop/web -> shop/web 8080', false],
]);

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('eks-netpol reach --output json', () => {
  test('gives every probe of the examples with the verdict the policies imply', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--output', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    const got = new Map<string, boolean>(parsed.probes.map((p: { from: string; to: string; port: number; allowed: boolean }) => [`${p.from} -> ${p.to} ${p.port}`, p.allowed]));
    expect(got).toEqual(EXPECTED_ALLOWED);
    expect(parsed.summary).toEqual({ probes: 20, allowed: 6, denied: 14 });
  });

  test('writes exactly the fields of the contract, in order, naming the admitting policies', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--output', 'json', '--from', 'shop/web', '--to', 'shop/api', '--port', 'http']);
    expect(JSON.parse(stdout)).toEqual({
      probes: [{
        from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP', allowed: true,
        egress: { isolated: false, allowedBy: [] },
        ingress: { isolated: true, allowedBy: ['shop/api-allow-web'] },
      }],
      summary: { probes: 1, allowed: 1, denied: 0 },
    });
    expect(Object.keys(JSON.parse(stdout).probes[0])).toEqual(['from', 'to', 'port', 'protocol', 'allowed', 'egress', 'ingress']);
    expect(stdout).toBe(`{"probes":[\n${JSON.stringify(JSON.parse(stdout).probes[0])}\n],"summary":{"probes":1,"allowed":1,"denied":0}}\n`);
  });

  test('with --explain adds isolatedBy, rules, allowed per direction, self and nodeLocal', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'json', '--explain', '--from', 'shop/db', '--to', 'shop/api', '--port', '8080']);
    const [probe] = JSON.parse(stdout).probes;
    expect(probe).toEqual({
      from: 'shop/db', to: 'shop/api', port: 8080, protocol: 'TCP', allowed: false,
      egress: { isolated: true, allowedBy: [], isolatedBy: ['shop/db'], rules: [], allowed: false },
      ingress: {
        isolated: true, allowedBy: [], isolatedBy: ['shop/api-allow-monitoring', 'shop/api-allow-web', 'shop/default-deny'],
        rules: [], allowed: false,
      },
      self: false,
      nodeLocal: false,
    });
  });

  test('prints an empty probe list when nothing is probed', async () => {
    const file = tmpFile('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: empty\n');
    const { code, stdout } = await runCli(['reach', file, '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ probes: [], summary: { probes: 0, allowed: 0, denied: 0 } });
  });
});

describe('eks-netpol reach --output table', () => {
  test('prints one aligned row a probe and the counts, without colour when stdout is not a terminal', async () => {
    const { code, stdout } = await runCli(['reach', EXAMPLES, '--to', 'shop/api']);
    expect(code).toBe(0);
    expect(stdout).toBe([
      'FROM                   TO        PORT        VERDICT',
      'monitoring/prometheus  shop/api  8080/TCP    denied',
      'monitoring/prometheus  shop/api  9090/TCP    allowed',
      'shop/api               shop/api  8080/TCP    denied',
      'shop/api               shop/api  9090/TCP    denied',
      'shop/db                shop/api  8080/TCP    denied',
      'shop/db                shop/api  9090/TCP    denied',
      'shop/web               shop/api  8080/TCP    allowed',
      'shop/web               shop/api  9090/TCP    denied',
      '',
      '8 probes: 2 allowed, 6 denied',
      '',
    ].join('\n'));
    expect(stdout).not.toContain('\u001b[');
  });

  test('with --explain names the isolating policies and the admitting rules under each row', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--from', 'shop/web', '--to', 'shop/api', '--explain']);
    expect(stdout).toContain([
      'shop/web  shop/api  8080/TCP    allowed',
      '    egress   allows  not isolated: no policy selects it for this direction',
      '    ingress  allows  isolated by shop/api-allow-monitoring, shop/api-allow-web, shop/default-deny; allowed by shop/api-allow-web ingress[0]',
      'shop/web  shop/api  9090/TCP    denied',
      '    egress   allows  not isolated: no policy selects it for this direction',
      '    ingress  denies  isolated by shop/api-allow-monitoring, shop/api-allow-web, shop/default-deny; no rule admits this probe',
    ].join('\n'));
  });

  test('explains that a workload against itself is replica traffic the policies decide', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--from', 'shop/db', '--to', 'shop/db', '--explain']);
    expect(stdout).toContain('shop/db  shop/db  5432/TCP    denied\n    egress   denies  isolated by shop/db; no rule admits this probe\n');
    expect(stdout).toContain('a workload against itself: traffic between its replicas, which the policies decide');
  });

  test('explains that a bare Pod may always reach itself, even when isolated', async () => {
    const file = tmpFile('pod.yaml', [
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: solo, namespace: x}',
      'spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}',
      '---',
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: deny, namespace: x}',
      'spec: {podSelector: {}, policyTypes: [Ingress, Egress]}', '',
    ].join('\n'));
    const { stdout } = await runCli(['reach', file, '--explain']);
    expect(stdout).toContain('x/solo  x/solo  80/TCP      allowed\n');
    expect(stdout).toContain('    allowed: a Pod may always reach itself\n');
    const json = await runCli(['reach', file, '-o', 'json', '--explain']);
    expect(JSON.parse(json.stdout).probes[0]).toMatchObject({ allowed: true, self: true, ingress: { allowed: false } });
  });

  test('colours verdicts on a terminal', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--to', 'shop/api'], { isTTY: true });
    expect(stdout).toContain('\u001b[32mallowed\u001b[0m');
    expect(stdout).toContain('\u001b[31mdenied\u001b[0m');
  });

  test('respects NO_COLOR on a terminal', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--to', 'shop/api'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toContain('shop/web               shop/api  8080/TCP    allowed');
  });

  test('says on stderr why nothing was probed when no destination declares a port', async () => {
    const file = tmpFile('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: quiet\nspec:\n  containers:\n    - name: c\n      image: x\n');
    const { code, stdout, stderr } = await runCli(['reach', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('0 probes: 0 allowed, 0 denied');
    expect(stderr).toContain('the destinations declare no container ports. Give --port to probe a port.');
  });

  test('is byte-identical from run to run', async () => {
    const first = await runCli(['reach', EXAMPLES, '--explain']);
    const second = await runCli(['reach', EXAMPLES, '--explain']);
    expect(second.stdout).toBe(first.stdout);
  });
});

describe('eks-netpol reach --output matrix', () => {
  test('prints one grid a port, rows from and columns to, with a key and a legend', async () => {
    const { code, stdout } = await runCli(['reach', EXAMPLES, '--output', 'matrix']);
    expect(code).toBe(0);
    expect(stdout).toBe([
      'Columns (to):',
      '  1  monitoring/prometheus',
      '  2  shop/api',
      '  3  shop/db',
      '  4  shop/web',
      'Legend: + allowed  - denied  . not probed (the destination does not declare this port)',
      '',
      '5432/TCP  (rows: from, columns: to)',
      '                       1 2 3 4',
      'monitoring/prometheus  . . - .',
      'shop/api               . . + .',
      'shop/db                . . - .',
      'shop/web               . . - .',
      '',
      '8080/TCP  (rows: from, columns: to)',
      '                       1 2 3 4',
      'monitoring/prometheus  . - . -',
      'shop/api               . - . -',
      'shop/db                . - . -',
      'shop/web               . + . -',
      '',
      '9090/TCP  (rows: from, columns: to)',
      '                       1 2 3 4',
      'monitoring/prometheus  + + . .',
      'shop/api               + - . .',
      'shop/db                - - . .',
      'shop/web               + - . .',
      '',
    ].join('\n'));
  });

  test('probes every pair on a given port whether or not the destination declares it', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'matrix', '--port', '53/udp', '--from', 'shop/web']);
    expect(stdout).toContain('53/UDP  (rows: from, columns: to)\n          1 2 3 4\nshop/web  + - - -\n');
  });
});

describe('eks-netpol reach --output summary', () => {
  test('prints only the counts', async () => {
    const { code, stdout } = await runCli(['reach', EXAMPLES, '--output', 'summary']);
    expect(code).toBe(0);
    expect(stdout).toBe('probes   20\nallowed  6\ndenied   14\n');
  });

  test('counts an IP address as a cluster-external endpoint', async () => {
    // Ingress from outside: only monitoring/prometheus (not isolated) admits 203.0.113.7.
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'summary', '--from', '203.0.113.7']);
    expect(stdout).toBe('probes   5\nallowed  1\ndenied   4\n');
  });

  test('probes egress to an external address from each source', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'json', '--to', '2001:db8::1', '--port', '443']);
    const probes = JSON.parse(stdout).probes as { from: string; to: string; allowed: boolean }[];
    expect(probes.map((p) => `${p.from} ${p.allowed}`)).toEqual([
      'monitoring/prometheus true', 'shop/api true', 'shop/db false', 'shop/web true',
    ]);
    expect(probes.every((p) => p.to === '2001:db8::1')).toBe(true);
  });
});

describe('eks-netpol reach endpoints and ports', () => {
  test('reads a bare NAME in --namespace', async () => {
    const { code, stdout } = await runCli(['reach', EXAMPLES, '-n', 'shop', '--from', 'web', '--to', 'api', '-o', 'summary']);
    expect(code).toBe(0);
    expect(stdout).toBe('probes   2\nallowed  1\ndenied   1\n');
  });

  test('resolves a named port on each destination and keeps its protocol', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'json', '--to', 'shop/api', '--port', 'metrics']);
    const probes = JSON.parse(stdout).probes as { port: number; protocol: string }[];
    expect(probes).toHaveLength(4);
    expect(probes.every((p) => p.port === 9090 && p.protocol === 'TCP')).toBe(true);
  });

  test('rejects an unknown --from and --to with exit 2 and a "did you mean" for each', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--from', 'shop/wbe', '--to', 'api']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--from "shop/wbe" is not a pod identity in the input or an IP address. Did you mean "shop/web"?');
    expect(stderr).toContain('--to "api" (read as "default/api") is not a pod identity in the input or an IP address. Did you mean "shop/api"?');
  });

  test('explains how to name an endpoint when nothing is close', async () => {
    const { code, stderr } = await runCli(['reach', EXAMPLES, '--to', 'payments/ledger']);
    expect(code).toBe(2);
    expect(stderr).toContain('Name a pod identity as namespace/name');
  });

  test('rejects a port name no destination declares with exit 2', async () => {
    const { code, stderr } = await runCli(['reach', EXAMPLES, '--port', 'grpc']);
    expect(code).toBe(2);
    expect(stderr).toContain('"grpc"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('eks-netpol reach input', () => {
  test('reads manifests from standard input for the path -', async () => {
    const stdin = ['namespaces.yaml', 'workloads.yaml', 'policies.yaml']
      .map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8')).join('\n---\n');
    const { code, stdout } = await runCli(['reach', '-', '-o', 'summary'], { stdin });
    expect(code).toBe(0);
    expect(stdout).toBe('probes   20\nallowed  6\ndenied   14\n');
  });

  test('reads paths relative to the working directory', async () => {
    const { code, stdout } = await runCli(['reach', 'reach', '-o', 'summary'], { cwd: path.dirname(EXAMPLES) });
    expect(code).toBe(0);
    expect(stdout).toBe('probes   20\nallowed  6\ndenied   14\n');
  });

  test('lists every problem of invalid manifests with file and line, and exits 2', async () => {
    const file = tmpFile('bad.yaml', [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: one',
      'spec:',
      '  podSelector: {}',
      '  ingress:',
      '    - from:',
      '        - ipBlock:',
      '            cidr: 10.0.0.0/33',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: two',
      'spec:',
      '  podSelector: {}',
      '  ingress:',
      '    - ports:',
      '        - port: 70000',
      '',
    ].join('\n'));
    const { code, stdout, stderr } = await runCli(['reach', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith(`${file}:`))).toHaveLength(2);
    expect(stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: .*10\\.0\\.0\\.0/33`));
    expect(stderr).toContain('70000');
    expect(lines[lines.length - 1]).toBe('eks-netpol reach: 2 problems in the input; nothing was probed.');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('reports malformed YAML with its file and exits 2', async () => {
    const file = tmpFile('broken.yaml', 'kind: Namespace\nmetadata:\n  name: [unclosed\n');
    const { code, stderr } = await runCli(['reach', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:`);
  });

  test('reports a missing path and exits 2', async () => {
    const { code, stderr } = await runCli(['reach', path.join(os.tmpdir(), 'no-such-eks-netpol-file.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('no-such-eks-netpol-file.yaml');
  });
});

describe('eks-netpol reach usage', () => {
  test('prints its help with every option and exits 0', async () => {
    const { code, stdout } = await runCli(['reach', '--help']);
    expect(code).toBe(0);
    for (const option of ['--from', '--to', '--port', '--namespace', '--output', '--explain', '--help']) expect(stdout).toContain(option);
  });

  test.each([
    [['reach'], 'give at least one PATH'],
    [['reach', EXAMPLES, '--output', 'yaml'], '--output "yaml" is not a format. Use one of: table, json, matrix, summary, csv, md, dot, svg.'],
    [['reach', EXAMPLES, '--port', '0'], 'port 0 is outside 1-65535'],
    [['reach', EXAMPLES, '--port', '80/icmp'], 'unknown protocol "icmp". Use TCP, UDP or SCTP'],
    [['reach', EXAMPLES, '--port', 'Not_A_Name'], 'is neither a port number nor a container-port name'],
    [['reach', EXAMPLES, '--explain', '-o', 'summary'], 'Use --output table or --output json with --explain.'],
    [['reach', EXAMPLES, '--colour'], "Unknown option '--colour'"],
    [['reach', EXAMPLES, '--namespace', 'Bad_NS'], '--namespace "Bad_NS" is not a namespace name'],
  ])('rejects %j with exit 2 and says how to fix it', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain("Run 'eks-netpol reach --help' for usage.");
  });

  test('exits 1 and says "internal error" when something unexpected fails', async () => {
    const { main } = await import('../../lib/cli/main');
    const err: string[] = [];
    const code = await main(['reach', EXAMPLES], {
      stdout: { write: () => { throw new Error('disk on fire'); } },
      stderr: { write: (t: string) => err.push(t) },
      readStdin: () => '',
      cwd: process.cwd(),
      env: {},
    });
    expect(code).toBe(1);
    expect(err.join('')).toBe('eks-netpol reach: internal error: disk on fire\n');
  });
});

describe('eks-netpol reach --explain with addresses outside the cluster', () => {
  test('says an external address is never isolated', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '--from', '203.0.113.7', '--to', 'shop/web', '--explain']);
    expect(stdout).toContain([
      '203.0.113.7  shop/web  8080/TCP    denied',
      '    egress   allows  not isolated: an address outside the cluster is never selected by a policy',
      '    ingress  denies  isolated by shop/default-deny; no rule admits this probe',
    ].join('\n'));
  });
});

describe('eks-netpol reach --output matrix on a large cluster', () => {
  test('refuses a matrix too large to print and says how to narrow it', async () => {
    const { generateCluster } = await import('../../bench/reach/generate');
    const file = tmpFile('big.yaml', generateCluster({ pods: 2001, policies: 0, namespaces: 5 }));
    const { code, stdout, stderr } = await runCli(['reach', file, '-o', 'matrix']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('a matrix of 2001 sources by 2001 destinations is too large to print');
    expect(stderr).toContain('Narrow it with --from and --to');
  });
});
