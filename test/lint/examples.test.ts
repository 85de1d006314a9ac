/**
 * The examples lint clean (the "done when"), and the seed scenario is reported by rule id, whether it is
 * written as YAML (examples/lint) or with the constructs (examples/seed).
 */
import { Testing } from 'cdk8s';
import { lintCluster } from '../../lib/lint';
import { Finding } from '../../lib/lint/types';
import { clusterFromObjects } from '../../lib/manifests';
import { SeedChart } from '../../examples/seed/seed';
import { ShopChart } from '../../examples/shop/shop';
import { runLint } from './run-cli';

function lintObjects(objects: unknown[]): Finding[] {
  const { cluster, problems } = clusterFromObjects(objects);
  expect(problems).toEqual([]);
  return lintCluster(cluster);
}

const notInfo = (findings: Finding[]) => findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule} ${f.object}: ${f.message}`);

test('the constructs seed chart without DNS is reported as dns-egress-blocked', () => {
  const findings = lintObjects(Testing.synth(new SeedChart(Testing.app(), 'seed')));
  expect(findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.object])).toEqual([['dns-egress-blocked', 'Deployment/seed/alpine']]);
});

test('the constructs seed chart with DNS and HTTPS allowed lints clean', () => {
  expect(notInfo(lintObjects(Testing.synth(new SeedChart(Testing.app(), 'seed', { allowDnsAndHttps: true }))))).toEqual([]);
});

test('the shop example lints clean', () => {
  expect(notInfo(lintObjects(Testing.synth(new ShopChart(Testing.app(), 'shop'))))).toEqual([]);
});

test('the reach example lints without errors or warnings', async () => {
  const { code, stdout } = await runLint(['examples/reach', '-o', 'json']);
  expect(JSON.parse(stdout).findings.filter((f: Finding) => f.severity !== 'info')).toEqual([]);
  expect(code).toBe(0);
});

test('the fixed YAML seed lints clean, and the unfixed one fails with dns-egress-blocked only', async () => {
  expect((await runLint(['examples/lint/seed-fixed', '-o', 'json'])).stdout).toBe('{"findings":[],"summary":{"errors":0,"warnings":0,"infos":0}}\n');
  const broken = JSON.parse((await runLint(['examples/lint/seed-no-dns', '-o', 'json'])).stdout);
  expect(broken.findings.map((f: Finding) => f.rule)).toEqual(['dns-egress-blocked']);
});
