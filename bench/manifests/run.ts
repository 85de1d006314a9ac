/**
 * How long loading manifests takes at the size issue 2 names (a 9 MB file of 15,200 objects: 10,000 Deployments,
 * 5,000 NetworkPolicies, 200 Namespaces), split into YAML parsing alone, parsing with line tracking, and the whole
 * load (parsing, line tracking, validation, cluster assembly). Prints figures; asserts nothing.
 *
 * Run: npm run build && node dist/bench/manifests/run.js [pods] [policies]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { loadAll } from 'js-yaml';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadManifests } from '../../lib/manifests';
import { parseYamlDocuments } from '../../lib/manifests/yaml-lines';
import { generateCluster } from '../reach/generate';

const RUNS = 5;

/**
 * The median wall time and CPU time of `RUNS` runs of `action`, in milliseconds. CPU time is printed too because
 * on a shared machine wall time mostly measures the neighbours.
 */
function median(action: () => void): string {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    action();
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((used.user + used.system) / 1e3);
  }
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)].toFixed(0);
  return `${middle(wall)} ms wall, ${middle(cpu)} ms CPU`;
}

function main(): void {
  const pods = Number(process.argv[2] ?? 10000);
  const policies = Number(process.argv[3] ?? 5000);
  const text = generateCluster({ pods, policies });
  const dir = mkdtempSync(join(tmpdir(), 'eks-netpol-bench-manifests-'));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, text);
  try {
    const result = loadManifests([file]);
    const objects = result.cluster.pods.length + result.cluster.policies.length
      + result.cluster.namespaces.filter((ns) => ns.declared).length + result.cluster.services.length;
    console.log(`input: ${(text.length / 1e6).toFixed(1)} MB, ${objects} objects, ${result.problems.length} problems`);
    console.log(`js-yaml loadAll, default schema:  ${median(() => loadAll(text))}`);
    console.log(`parse (Kubernetes schema, lines): ${median(() => parseYamlDocuments(text, file))}`);
    console.log(`loadManifests (whole load):        ${median(() => loadManifests([file]))}   (target: under 1200 ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
