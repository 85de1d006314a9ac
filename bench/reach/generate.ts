/**
 * Synthetic clusters for the reach benchmark: namespaces with labels, Deployments with labels and named ports, and
 * NetworkPolicies that mix pod and namespace selectors, matchExpressions, ipBlocks with excepts, named and numeric
 * ports and endPort ranges. Deterministic: the same options give byte-identical YAML.
 */
import { dump } from 'js-yaml';

/** The size and seed of a synthetic cluster. */
export interface SyntheticClusterOptions {
  /** Deployments, each one pod identity. */
  readonly pods: number;
  readonly policies: number;
  /**
   * Namespaces.
   *
   * @default - one for every 50 pods, at least 5
   */
  readonly namespaces?: number;
  /**
   * Seed of the pseudo-random generator.
   *
   * @default 1
   */
  readonly seed?: number;
}

/** mulberry32: a small, fast, seedable generator; Math.random would make every run different. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ['payments', 'search', 'identity', 'catalog', 'checkout', 'platform', 'data', 'edge'];
const ENVS = ['prod', 'staging', 'dev'];
const ROLES = ['frontend', 'backend', 'db', 'cache', 'worker', 'batch'];
const TIERS = ['web', 'api', 'data'];
const VERSIONS = ['v1', 'v2', 'v3'];
/** Container ports pods pick from: names resolve on the destination, so policies can name them. */
const PORTS = [
  { name: 'http', containerPort: 8080, protocol: 'TCP' },
  { name: 'https', containerPort: 8443, protocol: 'TCP' },
  { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  { name: 'grpc', containerPort: 50051, protocol: 'TCP' },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'admin', containerPort: 8081, protocol: 'TCP' },
];

type Obj = Record<string, unknown>;

class Picker {
  constructor(readonly random: () => number) {}
  int(below: number): number {
    return Math.floor(this.random() * below);
  }
  one<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  some<T>(values: readonly T[], count: number): T[] {
    const pool = [...values];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(this.int(pool.length), 1)[0]);
    return out;
  }
}

function namespaceObject(name: string, pick: Picker): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { team: pick.one(TEAMS), env: pick.one(ENVS) } },
  };
}

function deployment(index: number, namespace: string, pick: Picker): Obj {
  const labels = { app: `app-${index}`, role: pick.one(ROLES), tier: pick.one(TIERS), version: pick.one(VERSIONS) };
  // One to three ports, mostly one or two: about 1.6 a pod.
  const count = pick.chance(0.45) ? 1 : pick.chance(0.75) ? 2 : 3;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${index}`, namespace, labels: { app: labels.app } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: labels.app } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: 'main',
            image: `registry.example/app-${index}:1.0.0`,
            ports: pick.some(PORTS, count).map((p) => ({ ...p })),
          }],
        },
      },
    },
  };
}

function podSelector(pick: Picker): Obj {
  switch (pick.int(5)) {
    case 0: return {};
    case 1: return { matchLabels: { role: pick.one(ROLES) } };
    case 2: return { matchExpressions: [{ key: 'role', operator: 'In', values: pick.some(ROLES, 2) }] };
    case 3: return {
      matchLabels: { tier: pick.one(TIERS) },
      matchExpressions: [{ key: 'version', operator: 'NotIn', values: [pick.one(VERSIONS)] }],
    };
    default: return { matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'canary', operator: 'DoesNotExist' }] };
  }
}

function namespaceSelector(pick: Picker, namespaces: readonly string[]): Obj {
  switch (pick.int(4)) {
    case 0: return {};
    case 1: return { matchLabels: { team: pick.one(TEAMS) } };
    case 2: return { matchExpressions: [{ key: 'env', operator: 'In', values: pick.some(ENVS, 2) }] };
    default: return { matchLabels: { 'kubernetes.io/metadata.name': pick.one(namespaces) } };
  }
}

function peer(pick: Picker, namespaces: readonly string[]): Obj {
  const kind = pick.int(10);
  if (kind < 4) return { podSelector: podSelector(pick) };
  if (kind < 6) return { namespaceSelector: namespaceSelector(pick, namespaces) };
  if (kind < 9) return { namespaceSelector: namespaceSelector(pick, namespaces), podSelector: podSelector(pick) };
  const second = pick.int(256);
  return { ipBlock: { cidr: `10.${second}.0.0/16`, except: [`10.${second}.${pick.int(256)}.0/24`] } };
}

function policyPort(pick: Picker): Obj {
  switch (pick.int(6)) {
    case 0: return { port: 'http' };
    case 1: return { port: 'metrics', protocol: 'TCP' };
    case 2: return { port: pick.one(PORTS).containerPort, protocol: 'TCP' };
    case 3: return { port: 8000, endPort: 8500, protocol: 'TCP' };
    case 4: return { port: 'dns', protocol: 'UDP' };
    default: return { port: 50000, endPort: 51000 };
  }
}

function rule(pick: Picker, namespaces: readonly string[], direction: 'from' | 'to'): Obj {
  const out: Obj = {};
  // A rule without peers admits every peer, without ports every port: keep both, but rare.
  if (!pick.chance(0.05)) out[direction] = Array.from({ length: 1 + pick.int(3) }, () => peer(pick, namespaces));
  if (!pick.chance(0.15)) out.ports = Array.from({ length: 1 + pick.int(2) }, () => policyPort(pick));
  return out;
}

function policy(index: number, namespace: string, pick: Picker, namespaces: readonly string[]): Obj {
  const kind = pick.int(20);
  const types = kind < 12 ? ['Ingress'] : kind < 17 ? ['Ingress', 'Egress'] : ['Egress'];
  const spec: Obj = { podSelector: podSelector(pick), policyTypes: types };
  // An empty rule list (about one in ten) denies that direction.
  if (types.includes('Ingress')) spec.ingress = pick.chance(0.1) ? [] : Array.from({ length: 1 + pick.int(3) }, () => rule(pick, namespaces, 'from'));
  if (types.includes('Egress')) spec.egress = pick.chance(0.1) ? [] : Array.from({ length: 1 + pick.int(2) }, () => rule(pick, namespaces, 'to'));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `policy-${index}`, namespace },
    spec,
  };
}

/** The cluster as one multi-document YAML text: namespaces, then Deployments, then NetworkPolicies. */
export function generateCluster(options: SyntheticClusterOptions): string {
  const pick = new Picker(seededRandom(options.seed ?? 1));
  const namespaceCount = options.namespaces ?? Math.max(5, Math.floor(options.pods / 50));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `ns-${i}`);
  const objects: Obj[] = [];
  for (const name of namespaces) objects.push(namespaceObject(name, pick));
  for (let i = 0; i < options.pods; i++) objects.push(deployment(i, pick.one(namespaces), pick));
  for (let i = 0; i < options.policies; i++) objects.push(policy(i, pick.one(namespaces), pick, namespaces));
  return objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}
