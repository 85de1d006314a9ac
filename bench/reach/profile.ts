/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into the functions that took the most self time. */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `12.3%  456 ms  functionName  file:line`, hottest first. */
export function hottestFunctions(profile: CpuProfile, limit: number): string[] {
  const frameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/') : '';
    frameOf.set(node.id, `${functionName || '(anonymous)'}  ${file ? `${file}:${lineNumber + 1}` : ''}`.trimEnd());
  }
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = frameOf.get(id) ?? '(unknown)';
    selfMicros.set(frame, (selfMicros.get(frame) ?? 0) + delta);
    total += delta;
  });
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([frame, micros]) => `${((100 * micros) / Math.max(total, 1)).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${frame}`);
}

/** Where a frame's code lives: `js-yaml`, `lib/verdict`, `(garbage collector)`, `node`. */
function areaOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const ours = /dist\/(lib\/[^/]+|bench\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:') || url === '') return functionName.startsWith('(') ? functionName : 'node';
  return 'other';
}

/** Self time by area (package or lib/ directory), largest first: `lib/manifests 1234 ms 40.1%`. */
export function timeByArea(profile: CpuProfile): string[] {
  const areaOfNode = new Map(profile.nodes.map((n) => [n.id, areaOf(n)]));
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const area = areaOfNode.get(id) ?? 'other';
    const delta = profile.timeDeltas[i] ?? 0;
    micros.set(area, (micros.get(area) ?? 0) + delta);
    total += delta;
  });
  return [...micros.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([area, m]) => `${area.padEnd(24)} ${(m / 1000).toFixed(0).padStart(6)} ms  ${((100 * m) / Math.max(total, 1)).toFixed(1).padStart(5)}%`);
}
