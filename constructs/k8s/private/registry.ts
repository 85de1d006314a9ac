/**
 * The eks-netpol constructs of one cdk8s app (one construct tree), and the checks only the whole app can make:
 * namespace selectors against the declared namespaces, conflicting declarations, duplicate identities, the engine's
 * own validation of every policy, and the lint rules. The analysis is computed once per change of the tree's
 * eks-netpol constructs and shared by every construct's validation, so synthesis stays linear in the app's size.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { lintCluster, LintOptions } from '../../../lib/lint';
import { clusterFromObjects } from '../../../lib/manifests';
import { formatProblem } from '../../../lib/model/problems';
import { selectorMatches } from '../../../lib/model/selector';
import { LabelSelector, Labels, NAMESPACE_NAME_LABEL } from '../../../lib/model/types';
import type { AppWithPolicy } from '../app-with-policy';
import type { PolicyNamespace } from '../policy-namespace';
import { KubeNetworkPolicy } from './kube';

/** A namespace the cdk8s app declares (a PolicyNamespace or any Namespace object). */
export interface DeclaredNamespace {
  readonly name: string;
  readonly labels: Labels;
}

/** What an app's cross-checks see. */
export interface AnalysisContext {
  /** True when the app declares namespaces and every app's namespace is among them. */
  readonly allNamespacesDeclared: boolean;
  readonly declaredNamespaces: readonly DeclaredNamespace[];
  readonly selects: (selector: LabelSelector, labels: Labels) => boolean;
}

/** The outcome of the whole-app checks. */
export interface Analysis {
  /** The errors of the construct at `path`, one line each. */
  errorsFor(path: string): string[];
  /** Every warning, `path: message`. */
  readonly warnings: readonly string[];
}

/**
 * A hook run at synth over every object the app's charts hold, after the built-in checks: it returns findings
 * about objects by `Kind/namespace/name`. The lint engine plugs in here (see `configurePolicyChecks`).
 */
export type SynthCheck = (objects: readonly unknown[]) => readonly SynthFinding[];

/** One finding of a synth check. */
export interface SynthFinding {
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** How strict the synth-time checks are. */
export interface PolicyCheckSettings {
  /** The lint rules' options, or false to skip lint. */
  readonly lint: LintOptions | false;
  readonly checks: readonly SynthCheck[];
  /** `error`: findings of severity error fail synthesis; `warn`: every finding is printed; `off`: checks skipped. */
  readonly level: 'error' | 'warn' | 'off';
  /** Where warnings go. */
  readonly warn: (message: string) => void;
}

const registries = new WeakMap<IConstruct, Registry>();

/** The registry of the tree `scope` belongs to. */
export function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = registries.get(root);
  if (!registry) {
    registry = new Registry(root);
    registries.set(root, registry);
  }
  return registry;
}

export class Registry {
  readonly apps: AppWithPolicy[] = [];
  readonly namespaces: PolicyNamespace[] = [];
  settings: PolicyCheckSettings = { lint: {}, checks: [], level: 'warn', warn: (m) => process.stderr.write(`warning: ${m}\n`) };
  private version = 0;
  private cached?: { version: number; analysis: Analysis };

  constructor(private readonly root: IConstruct) {}

  addApp(app: AppWithPolicy): void {
    this.apps.push(app);
    this.touch();
  }

  addNamespace(namespace: PolicyNamespace): void {
    this.namespaces.push(namespace);
    this.touch();
  }

  /** Marks the analysis stale (a construct or rule was added). */
  touch(): void {
    this.version++;
  }

  analysis(): Analysis {
    if (this.cached?.version !== this.version) this.cached = { version: this.version, analysis: this.analyze() };
    return this.cached.analysis;
  }

  private analyze(): Analysis {
    const errors = new Map<string, string[]>();
    const report = (path: string, message: string): void => {
      const list = errors.get(path) ?? [];
      list.push(message);
      errors.set(path, list);
    };
    const warnings: string[] = [];

    const declaredNamespaces = this.declaredNamespaces();
    const declaredNames = new Set(declaredNamespaces.map((n) => n.name));
    const context: AnalysisContext = {
      allNamespacesDeclared: declaredNamespaces.length > 0 && this.apps.every((a) => declaredNames.has(a.namespace)),
      declaredNamespaces,
      selects: selectorMatches,
    };

    const owners = new Map<string, string>();
    for (const app of this.apps) {
      const clash = owners.get(`Deployment/${app.podIdentity}`);
      if (clash) {
        report(app.node.path, `props.name: ${clash} already declares the app "${app.podIdentity}"; its Deployment, Service and policies would overwrite these. Fix: give one of them another name or namespace.`);
      }
      owners.set(`Deployment/${app.podIdentity}`, app.node.path);
      for (const message of app._crossChecks(context)) report(app.node.path, message);
    }

    // The engine's own validation of every policy we write, exactly as it will read them from the YAML.
    const policies: KubeNetworkPolicy[] = [];
    for (const app of this.apps) {
      for (const policy of app._policies()) {
        policies.push(policy);
        owners.set(`NetworkPolicy/${policy.metadata.namespace}/${policy.metadata.name}`, app.node.path);
      }
      owners.set(`Service/${app.podIdentity}`, app.node.path);
    }
    for (const ns of this.namespaces) {
      owners.set(`Namespace/${ns.name}`, ns.node.path);
      for (const policy of ns.policies()) {
        const key = `NetworkPolicy/${policy.metadata.namespace}/${policy.metadata.name}`;
        const clash = owners.get(key);
        if (clash) report(ns.node.path, `the policy "${policy.metadata.name}" in "${ns.name}" is also written by ${clash}. Fix: rename the app.`);
        policies.push(policy);
        owners.set(key, ns.node.path);
      }
    }
    const { level, lint, checks } = this.settings;
    const checking = level !== 'off' && (lint !== false || checks.length > 0);
    // With checks on, one load of every object serves both the engine's validation and the checks.
    const objects = checking ? [...this.otherObjects(), ...policies] : policies;
    const { cluster, problems } = clusterFromObjects(objects);
    for (const problem of problems) {
      const owner = owners.get(problem.object);
      const message = `the engine rejects a synthesized policy: ${formatProblem(problem)}`;
      if (owner) report(owner, message);
      else warnings.push(`${this.root.node.path}: ${formatProblem(problem)}`);
    }

    if (checking) {
      const findings: SynthFinding[] = [];
      if (lint !== false) {
        for (const f of lintCluster(cluster, lint)) findings.push({ object: f.object, severity: f.severity, message: `[${f.rule}] ${f.message} Fix: ${f.fix}` });
      }
      for (const check of checks) findings.push(...check(objects));
      for (const finding of findings) {
        const owner = owners.get(finding.object) ?? ownerByKindless(owners, finding.object);
        if (finding.severity === 'error' && level === 'error') report(owner ?? this.root.node.path, finding.message);
        else warnings.push(`${owner ?? finding.object}: ${finding.message}`);
      }
    }
    for (const w of warnings) this.settings.warn(w);

    return { errorsFor: (path) => errors.get(path) ?? [], warnings };
  }

  /** PolicyNamespace constructs, and any other Namespace object in the tree. */
  private declaredNamespaces(): DeclaredNamespace[] {
    const byName = new Map<string, DeclaredNamespace>();
    for (const ns of this.namespaces) byName.set(ns.name, { name: ns.name, labels: ns.labels });
    for (const construct of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(construct) || construct.kind !== 'Namespace' || construct.apiVersion !== 'v1') continue;
      const name = construct.name;
      if (byName.has(name)) continue;
      const labels = (construct.metadata.toJson() as { labels?: Labels }).labels ?? {};
      byName.set(name, { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } });
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Every object of the tree, resolved, except the policies of our apps (their manifests are already rendered, and
   * resolving them again through cdk8s would double the cost of synthesis).
   */
  private otherObjects(): unknown[] {
    const out: unknown[] = [];
    for (const construct of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(construct)) continue;
      const scope = construct.node.scope;
      if (construct.kind === 'NetworkPolicy' && scope && (isOurs(scope))) continue;
      out.push(construct.toJson());
    }
    return out;
  }
}

/** An AppWithPolicy or a PolicyNamespace (by their markers, not instanceof: several copies may be loaded). */
function isOurs(scope: IConstruct): boolean {
  return Symbol.for('eks-netpol.AppWithPolicy') in scope || Symbol.for('eks-netpol.PolicyNamespace') in scope;
}

/** Findings about a Pod identity name a workload of an app by `Kind/ns/name` with another kind; find the app. */
function ownerByKindless(owners: Map<string, string>, object: string): string | undefined {
  const [, ...rest] = object.split('/');
  return owners.get(`Deployment/${rest.join('/')}`);
}
