import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { dump } from 'js-yaml';
import { ShopChart } from '../../examples/shop/shop';
import { markdownTableCell as markdownCell } from '../../lib/cli/format/markdown';
import { runCli } from './fake-io';

const ROOT = path.join(__dirname, '..', '..');
const BASE = path.join(ROOT, 'examples', 'diff', 'base');
const HEAD = path.join(ROOT, 'examples', 'diff', 'head');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KubeObject = any;
interface ChangeJson {
  change: string; from: string; to: string; port: number; protocol: string; new: boolean;
  causes: { direction: string; base: { isolatedBy: string[]; rules: string[]; allowed: boolean } | null; head: { isolatedBy: string[]; rules: string[]; allowed: boolean } }[];
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-diff-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes objects as one multi-document YAML file in a new directory under the test's temp dir; returns the dir. */
function writeTree(name: string, objects: readonly KubeObject[]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'all.yaml'), objects.map((o) => `---\n${dump(o)}`).join(''));
  return dir;
}

function writeFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

function shopObjects(): KubeObject[] {
  return Testing.synth(new ShopChart(Testing.app(), 'shop'));
}

function policy(objects: KubeObject[], namespace: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!found) throw new Error(`no NetworkPolicy ${namespace}/${name} in the synthesized shop`);
  return found;
}

const selects = (peer: KubeObject, app: string) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === app;

/** The shop synthesized as BASE, and as HEAD with one rule removed; returns both dirs and the removed rule's index. */
function shopWithout(name: string, pick: (objects: KubeObject[]) => { rules: KubeObject[]; index: number }) {
  const objects = shopObjects();
  const base = writeTree(`${name}-base`, objects);
  const head = structuredClone(objects);
  const { rules, index } = pick(head);
  expect(index).toBeGreaterThanOrEqual(0);
  rules.splice(index, 1);
  return { base, head: writeTree(`${name}-head`, head), index };
}

/** The web -> api ingress rule of shop/api-ingress removed. */
function shopWithoutWebToApi() {
  return shopWithout('web-api', (objects) => {
    const rules = policy(objects, 'shop', 'api-ingress').spec.ingress;
    return { rules, index: rules.findIndex((r: KubeObject) => r.from.some((p: KubeObject) => selects(p, 'web'))) };
  });
}

async function diffJson(argv: readonly string[]) {
  const run = await runCli(['diff', ...argv, '--output', 'json']);
  expect(run.stderr).toBe('');
  const parsed = JSON.parse(run.stdout);
  const names = (list: ChangeJson[]) => list.map((c) => `${c.from} -> ${c.to} ${c.port}/${c.protocol}`);
  const changes: ChangeJson[] = parsed.changes;
  return {
    code: run.code,
    parsed,
    changes,
    allowed: names(changes.filter((c) => c.change === 'allowed')),
    denied: names(changes.filter((c) => c.change === 'denied')),
  };
}

describe('eks-netpol diff on the shop', () => {
  test('removing the rule that lets web reach the api on http newly denies exactly that connection', async () => {
    const { base, head, index } = shopWithoutWebToApi();
    const { code, changes, allowed, denied } = await diffJson([base, head]);
    expect(code).toBe(0);
    // Worked out by hand: shop/api-ingress was the only rule admitting anything into the api's http port, and only
    // web's egress (web-egress) opens 8080 to the api. Nothing else reaches 8080 on the api, before or after.
    expect(denied).toEqual(['shop/web -> shop/api 8080/TCP']);
    expect(allowed).toEqual([]);
    expect(changes[0].causes).toEqual([{
      direction: 'ingress',
      base: expect.objectContaining({ rules: [`shop/api-ingress ingress[${index}]`], allowed: true }),
      head: expect.objectContaining({ isolatedBy: ['shop/api-ingress', 'shop/default-deny'], rules: [], allowed: false }),
    }]);
  });

  test('the opposite direction reports it newly allowed by the HEAD rule, and --fail-on-new-allow exits 1', async () => {
    const { base, head, index } = shopWithoutWebToApi();
    const { allowed, denied, changes } = await diffJson([head, base]);
    expect(allowed).toEqual(['shop/web -> shop/api 8080/TCP']);
    expect(denied).toEqual([]);
    expect(changes[0].causes.map((c) => [c.direction, c.head.rules])).toEqual([['ingress', [`shop/api-ingress ingress[${index}]`]]]);

    const failing = await runCli(['diff', head, base, '--fail-on-new-allow']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('shop/web  shop/api  8080/TCP    now allowed');
    expect(failing.stdout).toContain(`    ingress  allowed by shop/api-ingress ingress[${index}]\n`);
    expect((await runCli(['diff', head, base])).code).toBe(0);
    expect((await runCli(['diff', base, head, '--fail-on-new-allow'])).code).toBe(0);
  });

  test('removing an egress rule names the source\'s egress as the cause, with the policy that now isolates it', async () => {
    const { base, head, index } = shopWithout('api-postgres', (objects) => {
      const rules = policy(objects, 'shop', 'api-egress').spec.egress;
      return { rules, index: rules.findIndex((r: KubeObject) => (r.to ?? []).some((p: KubeObject) => selects(p, 'postgres'))) };
    });
    const { denied, allowed } = await diffJson([base, head]);
    expect(denied).toEqual(['shop/api -> shop/postgres 5432/TCP']);
    expect(allowed).toEqual([]);
    const { stdout } = await runCli(['diff', base, head]);
    expect(stdout).toContain(`    egress   was allowed by shop/api-egress egress[${index}]; now isolated by shop/api-egress, shop/default-deny, and no rule admits it\n`);
    expect(stdout).toContain('0 connections newly allowed, 1 newly denied; ');
  });

  test('a changed ipBlock rule changes no connection between pods, and the report names its policy to check', async () => {
    const { base, head } = shopWithout('lb', (objects) => {
      const rules = policy(objects, 'shop', 'web-ingress').spec.ingress;
      return { rules, index: rules.findIndex((r: KubeObject) => r.from.some((p: KubeObject) => p.ipBlock)) };
    });
    const { code, parsed } = await diffJson([base, head]);
    expect(code).toBe(0);
    expect(parsed.changes).toEqual([]);
    expect(parsed.ipBlockPolicies).toEqual(['shop/web-ingress']);
    const { stdout } = await runCli(['diff', base, head]);
    expect(stdout).toMatch(/^No connection changes; \d+ connections compared\.\nNot probed: the ipBlock rules of shop\/web-ingress differ/);
  });
});

describe('eks-netpol diff output', () => {
  test('identical inputs say that nothing changes, in every format, and exit 0', async () => {
    const table = await runCli(['diff', BASE, BASE, '--fail-on-new-allow']);
    expect(table).toEqual({ code: 0, stdout: 'No connection changes; 20 connections compared.\n', stderr: '' });
    const md = await runCli(['diff', BASE, BASE, '-o', 'md']);
    expect(md.stdout).toBe('### No connection changes\n\n20 connections compared.\n');
    const { parsed } = await diffJson([BASE, BASE]);
    expect(parsed).toEqual({
      changes: [], onlyInBase: [], onlyInHead: [], ipBlockPolicies: [],
      summary: { compared: 20, newConnections: 0, nowAllowed: 0, nowDenied: 0 },
    });
  });

  test('the table lists newly allowed connections first, each with its cause indented under it', async () => {
    const { code, stdout } = await runCli(['diff', BASE, HEAD]);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'FROM                   TO        PORT        CHANGE',
      'shop/web               shop/db   5432/TCP    now allowed',
      '    ingress  allowed by shop/db-ingress ingress[1]',
      'monitoring/prometheus  shop/api  9090/TCP    now denied',
      '    ingress  was allowed by shop/api-ingress ingress[1]; now isolated by shop/api-ingress, shop/default-deny, and no rule admits it',
      '',
      '1 connection newly allowed, 1 newly denied; 20 connections compared.',
      '',
    ]);
  });

  test('the table is coloured on a terminal and plain when NO_COLOR is set', async () => {
    const coloured = await runCli(['diff', BASE, HEAD], { isTTY: true });
    expect(coloured.stdout).toContain('\u001b[32mnow allowed\u001b[0m');
    expect(coloured.stdout).toContain('\u001b[31mnow denied\u001b[0m');
    const plain = await runCli(['diff', BASE, HEAD], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
  });

  test('md is a heading with the counts and a valid GitHub table: header, separator, same column count', async () => {
    const { code, stdout } = await runCli(['diff', BASE, HEAD, '--output', 'md']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('### 1 connection newly allowed, 1 newly denied');
    const rows = lines.filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toBe('| Change | From | To | Port | Cause |');
    expect(rows[1]).toBe('| --- | --- | --- | --- | --- |');
    // A row's cells are split by the pipes that are not escaped.
    const columns = (row: string) => row.replace(/\\\|/g, '').split('|').length - 2;
    for (const row of rows) {
      expect(row.endsWith(' |')).toBe(true);
      expect(columns(row)).toBe(5);
    }
    expect(rows[2]).toBe('| now allowed | shop/web | shop/db | 5432/TCP | ingress: allowed by shop/db-ingress ingress[1] |');
    expect(rows[3]).toMatch(/^\| now denied \| monitoring\/prometheus \| shop\/api \| 9090\/TCP \| ingress: was allowed by shop\/api-ingress ingress\[1\]; /);
    expect(lines.slice(rows.length + 2)).toEqual(['', '20 connections compared.', '']);
  });

  test('a Markdown cell escapes pipes and newlines so that it cannot split the table', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('a\\|b')).toBe('a\\\\\\|b');
    expect(markdownCell('one\ntwo')).toBe('one two');
  });

  test('json has the documented fields in order, one change a line', async () => {
    const run = await runCli(['diff', BASE, HEAD, '-o', 'json']);
    const parsed = JSON.parse(run.stdout);
    expect(Object.keys(parsed)).toEqual(['changes', 'onlyInBase', 'onlyInHead', 'ipBlockPolicies', 'summary']);
    expect(parsed.summary).toEqual({ compared: 20, newConnections: 0, nowAllowed: 1, nowDenied: 1 });
    expect(parsed.changes[0]).toEqual({
      change: 'allowed', from: 'shop/web', to: 'shop/db', port: 5432, protocol: 'TCP', new: false,
      causes: [{
        direction: 'ingress',
        base: { isolated: true, isolatedBy: ['shop/db-ingress', 'shop/default-deny'], rules: [], allowed: false },
        head: { isolated: true, isolatedBy: ['shop/db-ingress', 'shop/default-deny'], rules: ['shop/db-ingress ingress[1]'], allowed: true },
      }],
    });
    expect(Object.keys(parsed.changes[0])).toEqual(['change', 'from', 'to', 'port', 'protocol', 'new', 'causes']);
    expect(parsed.changes[1]).toMatchObject({ change: 'denied', from: 'monitoring/prometheus', to: 'shop/api', port: 9090 });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('{"changes":[');
    expect(JSON.parse(lines[1].replace(/,$/, ''))).toEqual(parsed.changes[0]);
    expect(JSON.parse(lines[2])).toEqual(parsed.changes[1]);
  });

  test('the same inputs give byte-identical output', async () => {
    for (const output of ['table', 'json', 'md']) {
      const first = await runCli(['diff', BASE, HEAD, '-o', output]);
      const second = await runCli(['diff', BASE, HEAD, '-o', output]);
      expect(second.stdout).toBe(first.stdout);
    }
  });
});

const CACHE = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  namespace: shop
spec:
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      containers:
        - name: redis
          image: registry.example/redis:7
          ports:
            - {name: redis, containerPort: 6379}
`;

describe('eks-netpol diff with identities or ports in one side only', () => {
  function withCache(): string {
    const dir = path.join(tmp, 'with-cache');
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(BASE)) fs.copyFileSync(path.join(BASE, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'cache.yaml'), CACHE);
    return dir;
  }

  test('a workload new in HEAD: its allowed connections are newly allowed and marked new, the denied ones are not listed', async () => {
    const head = withCache();
    const { code, parsed, allowed, denied } = await diffJson([BASE, head, '--fail-on-new-allow']);
    expect(code).toBe(1);
    // The cache's egress is not isolated, and only monitoring (no policies) admits ingress: its one new access.
    // Everything into the cache is denied by shop/default-deny, and so is the cache's traffic into shop.
    expect(allowed).toEqual(['shop/cache -> monitoring/prometheus 9090/TCP']);
    expect(denied).toEqual([]);
    expect(parsed.changes[0].new).toBe(true);
    expect(parsed.changes[0].causes.map((c: ChangeJson['causes'][number]) => [c.direction, c.base, c.head.allowed])).toEqual([['egress', null, true], ['ingress', null, true]]);
    expect(parsed.onlyInHead).toEqual(['shop/cache']);
    // 6 ports from the cache (web 1, api 2, db 1, prometheus 1, cache 1) and 4 sources into its one port.
    expect(parsed.summary).toEqual({ compared: 20, newConnections: 10, nowAllowed: 1, nowDenied: 0 });
    const { stdout } = await runCli(['diff', BASE, head]);
    expect(stdout).toContain('shop/cache  monitoring/prometheus  9090/TCP    now allowed\n    new      shop/cache is only in HEAD\n    egress   not isolated\n    ingress  not isolated\n');
    expect(stdout).toContain('Only in HEAD: shop/cache.\n');
  });

  test('a workload gone in HEAD is listed apart, and its connections are not reported as denied', async () => {
    const { code, parsed } = await diffJson([withCache(), BASE]);
    expect(code).toBe(0);
    expect(parsed.changes).toEqual([]);
    expect(parsed.onlyInBase).toEqual(['shop/cache']);
    const md = await runCli(['diff', withCache(), BASE, '-o', 'md']);
    expect(md.stdout).toBe('### No connection changes\n\n20 connections compared.\n\n- Only in BASE: `shop/cache`.\n');
  });

  test('a port declared in one side only is probed in both, so a named rule for it shows as the change', async () => {
    const dir = path.join(tmp, 'admin-port');
    fs.mkdirSync(dir, { recursive: true });
    const workloads = fs.readFileSync(path.join(BASE, 'workloads.yaml'), 'utf8')
      .replace('            - {name: metrics, containerPort: 9090}\n', '            - {name: metrics, containerPort: 9090}\n            - {name: admin, containerPort: 8443}\n');
    expect(workloads).toContain('admin');
    fs.writeFileSync(path.join(dir, 'workloads.yaml'), workloads);
    fs.writeFileSync(path.join(dir, 'policies.yaml'), `${fs.readFileSync(path.join(BASE, 'policies.yaml'), 'utf8')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-admin, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: admin}]
`);
    const added = await diffJson([BASE, dir]);
    expect(added.allowed).toEqual(['shop/web -> shop/api 8443/TCP']);
    expect(added.parsed.summary).toEqual({ compared: 24, newConnections: 0, nowAllowed: 1, nowDenied: 0 });
    const removed = await diffJson([dir, BASE]);
    expect(removed.denied).toEqual(['shop/web -> shop/api 8443/TCP']);
    expect(removed.parsed.changes[0].causes[0].base.rules).toEqual(['shop/api-admin ingress[0]']);
  });
});

describe('eks-netpol diff input and usage', () => {
  const BAD = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  podSelecter: {}\n';

  test('invalid HEAD exits 2 with the file:line problem and a line naming HEAD, and prints no report', async () => {
    const bad = writeFile('bad-head.yaml', BAD);
    const { code, stdout, stderr } = await runCli(['diff', BASE, bad]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${bad}:7: NetworkPolicy/shop/p: spec.podSelecter: unknown field "podSelecter" Fix: did you mean "podSelector"?\n`
      + `eks-netpol diff: HEAD ${bad}: 1 problem in the input; nothing was probed.\n`);
  });

  test('invalid input on both sides reports both, each naming its side', async () => {
    const bad = writeFile('bad-both.yaml', BAD);
    const missing = path.join(tmp, 'no-such-dir');
    const { code, stderr } = await runCli(['diff', missing, bad]);
    expect(code).toBe(2);
    expect(stderr).toContain(`eks-netpol diff: BASE ${missing}: 1 problem in the input`);
    expect(stderr).toContain(`${bad}:7: `);
    expect(stderr).toContain(`eks-netpol diff: HEAD ${bad}: 1 problem in the input`);
    expect(stderr.indexOf('BASE')).toBeLessThan(stderr.indexOf('HEAD'));
  });

  test.each([
    [['diff', 'a'], 'give exactly two paths, BASE then HEAD (a manifest file or directory each); got only one ("a"). For example: eks-netpol diff main/dist/gitops branch/dist/gitops'],
    [['diff'], 'give exactly two paths, BASE then HEAD (a manifest file or directory each). For example'],
    [['diff', 'a', 'b', 'c'], '(a manifest file or directory each); got 3. For example'],
    [['diff', '-', '-'], 'only one of BASE and HEAD can be -'],
    [['diff', 'a', 'b', '-o', 'matrix'], '--output "matrix" is not a format. Use one of: table, json, md.'],
    [['diff', 'a', 'b', '-n', 'Shop'], '--namespace "Shop" is not a namespace name'],
    [['diff', 'a', 'b', '--from', 'shop/web'], "Unknown option '--from'"],
  ])('usage error %j exits 2 with the fix', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain("Run 'eks-netpol diff --help' for usage.");
  });

  test('--namespace places objects without one, on both sides', async () => {
    const strip = (text: string) => text.replace(/^ {2}namespace: shop\n/gm, '');
    const dir = (name: string, from: string) => {
      const d = path.join(tmp, name);
      fs.mkdirSync(d, { recursive: true });
      for (const f of fs.readdirSync(from)) fs.writeFileSync(path.join(d, f), strip(fs.readFileSync(path.join(from, f), 'utf8')));
      return d;
    };
    const base = dir('ns-base', BASE);
    const head = dir('ns-head', HEAD);
    expect(fs.readFileSync(path.join(head, 'policies.yaml'), 'utf8')).not.toContain('namespace: shop');
    const { allowed, denied } = await diffJson([base, head, '-n', 'shop']);
    expect(allowed).toEqual(['shop/web -> shop/db 5432/TCP']);
    expect(denied).toEqual(['monitoring/prometheus -> shop/api 9090/TCP']);
  });

  test('one side can be standard input', async () => {
    const stdin = fs.readdirSync(HEAD).sort().map((f) => fs.readFileSync(path.join(HEAD, f), 'utf8')).join('');
    const run = await runCli(['diff', BASE, '-', '-o', 'json'], { stdin });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toEqual({ compared: 20, newConnections: 0, nowAllowed: 1, nowDenied: 1 });
  });

  test('--help exits 0 and explains how identities in one side only are treated', async () => {
    const { code, stdout } = await runCli(['diff', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: eks-netpol diff \[options\] BASE HEAD\n/);
    expect(stdout).toContain('A new connection that\nHEAD allows is listed as now allowed');
    expect(stdout).toContain('--fail-on-new-allow');
  });
});
