/**
 * `reach --output dot` and `--output svg`. The DOT text is read back by Graphviz itself (`dot -Tjson`), and the graph
 * it parses is compared with clusters, nodes and edges worked out by hand from the policies of examples/reach.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dotQuote } from '../../lib/cli/format/dot';
import { runCli } from './fake-io';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'reach');

const DOT_INSTALLED = spawnSync('dot', ['-V']).error === undefined;
const IN_CI = Boolean(process.env.CI);
/** Tests that need Graphviz: they skip only on a workstation without it; on CI a missing dot is a failure. */
const withGraphviz = DOT_INSTALLED || IN_CI ? test : test.skip;
if (!DOT_INSTALLED && !IN_CI) {
  console.warn('SKIPPING the Graphviz tests of reach-graph.test.ts: `dot` is not on PATH. Install it: apt-get install -y graphviz (Debian) / brew install graphviz.');
}

/** A graph as Graphviz parsed it: node labels by id, node ids by cluster, and edges as `from -> to: label`. */
interface ParsedGraph {
  readonly nodes: Record<string, string>;
  readonly clusters: Record<string, { label: string; nodes: string[] }>;
  readonly edges: string[];
}

interface GraphvizObject {
  readonly _gvid: number;
  readonly name: string;
  readonly label?: string;
  readonly nodes?: number[];
}

/** Runs `dot -Tjson` on DOT text and reduces its answer to what the tests compare. */
function parseWithGraphviz(dotText: string): ParsedGraph {
  if (!DOT_INSTALLED) throw new Error('Graphviz `dot` is not on PATH and CI is set, so this test fails instead of skipping: install graphviz in .ci/setup.');
  const run = spawnSync('dot', ['-Tjson'], { input: dotText, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dot -Tjson rejected the graph (exit ${run.status}): ${run.stderr}\n${dotText}`);
  const json = JSON.parse(run.stdout) as { _subgraph_cnt: number; objects?: GraphvizObject[]; edges?: { tail: number; head: number; label: string }[] };
  const objects = json.objects ?? [];
  const byId = new Map(objects.map((o) => [o._gvid, o]));
  const subgraphs = objects.slice(0, json._subgraph_cnt);
  const nodes: Record<string, string> = {};
  for (const node of objects.slice(json._subgraph_cnt)) nodes[node.name] = node.label ?? '';
  const clusters: ParsedGraph['clusters'] = {};
  for (const s of subgraphs) clusters[s.name] = { label: s.label ?? '', nodes: (s.nodes ?? []).map((id) => byId.get(id)!.name).sort() };
  const edges = (json.edges ?? []).map((e) => `${byId.get(e.tail)!.name} -> ${byId.get(e.head)!.name}: ${e.label}`).sort();
  return { nodes, clusters, edges };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-graph-'));
}

describe('eks-netpol reach --output dot', () => {
  withGraphviz('draws examples/reach as a cluster per namespace, a node per pod identity and an edge per allowed pair', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '--output', 'dot']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const graph = parseWithGraphviz(stdout);
    expect(graph.clusters).toEqual({
      cluster_monitoring: { label: 'monitoring', nodes: ['monitoring/prometheus'] },
      cluster_shop: { label: 'shop', nodes: ['shop/api', 'shop/db', 'shop/web'] },
    });
    expect(graph.nodes).toEqual({
      'monitoring/prometheus': 'prometheus',
      'shop/api': 'api',
      'shop/db': 'db',
      'shop/web': 'web',
    });
    // The 6 allowed probes of the example, one edge each: no pair is allowed on two ports, and denied pairs
    // (everything into shop/web, everything out of shop/db, shop/api to itself) are not drawn.
    expect(graph.edges).toEqual([
      'monitoring/prometheus -> monitoring/prometheus: TCP 9090', // monitoring has no policy
      'monitoring/prometheus -> shop/api: TCP 9090', // api-allow-monitoring, named port metrics
      'shop/api -> monitoring/prometheus: TCP 9090',
      'shop/api -> shop/db: TCP 5432', // the db policy admits only the api
      'shop/web -> monitoring/prometheus: TCP 9090',
      'shop/web -> shop/api: TCP 8080', // api-allow-web, named port http
    ]);
  });

  withGraphviz('draws an address given with --from as a node outside every cluster, with its allowed edges', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'dot', '--from', '203.0.113.7']);
    const graph = parseWithGraphviz(stdout);
    expect(graph.nodes['203.0.113.7']).toBe('203.0.113.7');
    for (const cluster of Object.values(graph.clusters)) expect(cluster.nodes).not.toContain('203.0.113.7');
    // Only prometheus is not isolated for ingress; every pod of shop is behind default-deny.
    expect(graph.edges).toEqual(['203.0.113.7 -> monitoring/prometheus: TCP 9090']);
  });

  withGraphviz('labels an edge with every allowed port, grouped by protocol', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'dot', '--from', 'shop/web', '--to', 'monitoring/prometheus',
      '--port', '9091', '--port', '53/udp', '--port', '9090']);
    // Neither web's egress nor prometheus's ingress is isolated, so all three ports are allowed.
    expect(parseWithGraphviz(stdout).edges).toEqual(['shop/web -> monitoring/prometheus: TCP 9090,9091; UDP 53']);
  });

  withGraphviz('quotes ids with dashes, dots, slashes and colons so that Graphviz reads them back unchanged', async () => {
    const file = path.join(tmpDir(), 'pod.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web.v2-blue, namespace: team-a}\nspec: {containers: [{name: c, image: i}]}\n');
    const { code, stdout } = await runCli(['reach', file, '-o', 'dot', '--from', '2001:db8::1', '--to', 'team-a/web.v2-blue', '--port', '80']);
    expect(code).toBe(0);
    const graph = parseWithGraphviz(stdout);
    expect(graph.clusters).toEqual({ 'cluster_team-a': { label: 'team-a', nodes: ['team-a/web.v2-blue'] } });
    expect(graph.nodes).toEqual({ 'team-a/web.v2-blue': 'web.v2-blue', '2001:db8::1': '2001:db8::1' });
    expect(graph.edges).toEqual(['2001:db8::1 -> team-a/web.v2-blue: TCP 80']);
  });

  test('writes namespaces, nodes and edges in sorted order, whatever order the ports were probed in', async () => {
    const { stdout } = await runCli(['reach', EXAMPLES, '-o', 'dot']);
    const lines = stdout.split('\n');
    expect(lines.filter((l) => l.includes('subgraph'))).toEqual(['  subgraph "cluster_monitoring" {', '  subgraph "cluster_shop" {']);
    // Ports are probed 5432, 8080, 9090; edges are listed by source, then destination.
    expect(lines.filter((l) => l.includes(' -> '))).toEqual([
      '  "monitoring/prometheus" -> "monitoring/prometheus" [label="TCP 9090"];',
      '  "monitoring/prometheus" -> "shop/api" [label="TCP 9090"];',
      '  "shop/api" -> "monitoring/prometheus" [label="TCP 9090"];',
      '  "shop/api" -> "shop/db" [label="TCP 5432"];',
      '  "shop/web" -> "monitoring/prometheus" [label="TCP 9090"];',
      '  "shop/web" -> "shop/api" [label="TCP 8080"];',
    ]);
    expect(stdout.startsWith('digraph reach {\n')).toBe(true);
    expect(stdout.endsWith('}\n')).toBe(true);
  });

  test('escapes quotes, backslashes and line breaks in a DOT string', () => {
    expect(dotQuote('say "hi"')).toBe('"say \\"hi\\""');
    expect(dotQuote('a\\b')).toBe('"a\\\\b"');
    expect(dotQuote('two\nlines')).toBe('"two\\nlines"');
  });

  test('writes a digraph with no node or edge, and says why on stderr, when the input has no pod identity', async () => {
    const file = path.join(tmpDir(), 'ns.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: empty\n');
    const { code, stdout, stderr } = await runCli(['reach', file, '-o', 'dot']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('->');
    expect(stdout).not.toContain('subgraph');
    expect(stderr).toContain('no probes: the input declares no pod identity');
  });
});

describe('eks-netpol reach --output svg', () => {
  withGraphviz('renders the graph through Graphviz as an SVG document naming every workload', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '-o', 'svg'], { env: { PATH: process.env.PATH } });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^(<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*)?<svg[\s>]/);
    expect(stdout.trimEnd().endsWith('</svg>')).toBe(true);
    for (const text of ['monitoring', 'shop', 'prometheus', 'api', 'db', 'web', 'TCP 8080', 'TCP 5432']) {
      expect(stdout).toContain(`>${text}</text>`);
    }
  });

  test('without dot on PATH exits 2, says how to install Graphviz, and prints nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '-o', 'svg'], { env: { PATH: tmpDir() } });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("eks-netpol reach: --output svg needs Graphviz's dot on PATH: apt-get install graphviz (Debian) / brew install graphviz; or use --output dot.\n");
  });

  (process.platform === 'win32' ? test.skip : test)('reports a failing dot with its exit status and its stderr, exits 1, and prints no partial SVG', async () => {
    const dir = tmpDir();
    const fake = path.join(dir, 'dot');
    fs.writeFileSync(fake, '#!/bin/sh\ncat >/dev/null\necho "<svg partial"\necho "Error: out of crayons" >&2\nexit 3\n');
    fs.chmodSync(fake, 0o755);
    const { code, stdout, stderr } = await runCli(['reach', EXAMPLES, '-o', 'svg'], { env: { PATH: `${dir}${path.delimiter}/bin${path.delimiter}/usr/bin` } });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('eks-netpol reach: dot -Tsvg failed (exit status 3): Error: out of crayons\n');
  });
});
