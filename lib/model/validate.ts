/**
 * Validation of raw Kubernetes objects (parsed YAML or JSON, or what cdk8s synthesizes) into the policy model, as
 * the API server validates and defaults them. Every problem is collected, with its field path and line; an object
 * with any problem is left out of the model rather than half-built.
 *
 * Kinds read: Namespace, Pod, Service, Node, Endpoints (v1); Deployment, StatefulSet, DaemonSet, ReplicaSet
 * (apps/v1); Job, CronJob (batch/v1); NetworkPolicy (networking.k8s.io/v1); EndpointSlice (discovery.k8s.io/v1).
 * Every other kind is skipped without a problem, including a kind of the same name in another API group (a custom
 * resource).
 */
import { Problem } from './problems';
import {
  EndpointSlice, Labels, NAMESPACE_NAME_LABEL, Namespace, NetworkPolicy, Node, PodIdentity, Service, WorkloadKind,
} from './types';
import { at, ObjectOrigin, ObjectScope } from './validate-context';
import { checkKnownFields, isObject, JsonObject, optionalObject, quoteFix, scalarText, typeName } from './validate-fields';
import { dns1123LabelProblem, dns1123SubdomainProblem, suggestDnsName } from './validate-names';
import { validateNetworkPolicySpec } from './validate-policy';
import { validateLabels } from './validate-selector';
import { validateEndpoints, validateEndpointSlice } from './validate-endpoints';
import { validateNode } from './validate-node';
import { validateService } from './validate-service';
import { validatePodIdentity } from './validate-workload';

export { formatFieldPath } from './validate-context';
export type { FieldPath, LineLocator, MapKey, ObjectOrigin, PathSegment } from './validate-context';

/** One object of the input in the model. */
export type ModelObject =
  | { readonly type: 'namespace'; readonly value: Namespace }
  | { readonly type: 'pod'; readonly value: PodIdentity }
  | { readonly type: 'policy'; readonly value: NetworkPolicy }
  | { readonly type: 'service'; readonly value: Service }
  | { readonly type: 'node'; readonly value: Node }
  | { readonly type: 'endpointSlice'; readonly value: EndpointSlice }
  /** A legacy Endpoints object, as the slices it is mirrored into (none when it has no addresses). */
  | { readonly type: 'endpoints'; readonly id: string; readonly value: readonly EndpointSlice[] };

/** How to validate one object. */
export interface ValidateOptions {
  /**
   * The namespace of objects that do not name one, as `kubectl apply --namespace` gives it.
   *
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Where the object came from, so that problems carry file and line.
   *
   * @default - problems carry no location
   */
  readonly origin?: ObjectOrigin;
  /**
   * How to name the object in problems when it has no name, like `document 3`.
   *
   * @default 'unnamed object'
   */
  readonly position?: string;
}

/** The object in the model (undefined when skipped or invalid) and every problem found. */
export interface ValidationResult {
  readonly object?: ModelObject;
  readonly problems: Problem[];
}

/** The API version each kind we read is served at. */
const KINDS: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Node: 'v1',
  Endpoints: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
};

/** API versions the API server no longer serves, with the kinds that moved on from them. */
const REMOVED_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'extensions/v1beta1': ['Deployment', 'DaemonSet', 'ReplicaSet', 'NetworkPolicy'],
  'apps/v1beta1': ['Deployment', 'StatefulSet'],
  'apps/v1beta2': ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  'batch/v1beta1': ['CronJob'],
  'batch/v2alpha1': ['CronJob'],
  'discovery.k8s.io/v1beta1': ['EndpointSlice'],
};

/** API groups of Kubernetes itself ('' is the core group, `v1`). */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'discovery.k8s.io', 'extensions', 'networking.k8s.io']);

/** The group of an apiVersion: `apps` of `apps/v1`, '' of `v1`; a value that is not a string has none. */
function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
/** Kinds whose fields are not under spec and status. */
const TOP_LEVEL_FIELDS_OF: Readonly<Record<string, readonly string[]>> = {
  EndpointSlice: ['apiVersion', 'kind', 'metadata', 'addressType', 'endpoints', 'ports'],
  Endpoints: ['apiVersion', 'kind', 'metadata', 'subsets'],
};
/** Kinds without a namespace. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'Node']);
const METADATA_FIELDS = [
  'name', 'generateName', 'namespace', 'labels', 'annotations', 'uid', 'resourceVersion', 'generation', 'selfLink',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'managedFields',
];

/** Is this a kind (at an API version) that the model reads? */
export function isModelKind(kind: unknown, apiVersion: unknown): boolean {
  return typeof kind === 'string' && KINDS[kind] !== undefined && KINDS[kind] === apiVersion;
}

/** Validates one raw object into the model, collecting every problem. */
export function validateObject(raw: unknown, options: ValidateOptions = {}): ValidationResult {
  const problems: Problem[] = [];
  const object = validateObjectInto(raw, options, problems);
  return { object, problems };
}

/** As `validateObject`, appending problems to `problems` (the loader's shared list). */
export function validateObjectInto(raw: unknown, options: ValidateOptions, problems: Problem[]): ModelObject | undefined {
  const position = options.position ?? 'unnamed object';
  if (!isObject(raw)) {
    const scope = new ObjectScope(position, problems, options.origin);
    scope.report(undefined, `is not a Kubernetes object but ${typeName(raw)}`, 'write a mapping with apiVersion, kind, metadata and spec');
    return undefined;
  }
  const kind = raw.kind;
  if (typeof kind !== 'string' || kind === '') {
    const scope = new ObjectScope(position, problems, options.origin);
    scope.report(at(undefined, 'kind'), kind === undefined ? 'is required' : `must be a string, not ${typeName(kind)}`,
      'add the object\'s kind, like kind: NetworkPolicy');
    return undefined;
  }
  const expectedVersion = KINDS[kind];
  if (expectedVersion === undefined) return undefined;
  const apiVersion = raw.apiVersion;
  if (apiVersion !== expectedVersion) {
    const missing = apiVersion === undefined || apiVersion === null || apiVersion === '';
    // A kind of the same name in another group is someone's custom resource: not ours to judge. In a built-in
    // group, a version that does not serve the kind (networking.k8s.io/v2, extensions/v1beta1) is a mistake.
    if (!missing && !BUILT_IN_GROUPS.has(groupOf(apiVersion))) return undefined;
    const scope = new ObjectScope(objectLabel(kind, raw, options), problems, options.origin);
    const removed = typeof apiVersion === 'string' && (REMOVED_VERSIONS[apiVersion] ?? []).includes(kind);
    const message = missing ? 'is required' : removed ? `${scalarText(apiVersion)} no longer serves ${kind}` : `${scalarText(apiVersion)} does not serve ${kind}`;
    scope.report(at(undefined, 'apiVersion'), message, `write apiVersion: ${expectedVersion}`);
    return undefined;
  }
  const scope = new ObjectScope(objectLabel(kind, raw, options), problems, options.origin);
  checkKnownFields(scope, raw, TOP_LEVEL_FIELDS_OF[kind] ?? TOP_LEVEL_FIELDS, undefined);
  const header = validateMetadata(scope, kind, raw.metadata, options.namespace ?? 'default');
  if (!header) return undefined;
  switch (kind) {
    case 'Namespace': {
      if (scope.failed) return undefined;
      // The API server sets the automatic label to the name, whatever the input says.
      const labels = { ...header.labels, [NAMESPACE_NAME_LABEL]: header.name };
      return { type: 'namespace', value: { name: header.name, labels, declared: true, source: scope.source } };
    }
    case 'NetworkPolicy': {
      const policy = validateNetworkPolicySpec(scope, raw.spec, header);
      return policy && !scope.failed ? { type: 'policy', value: policy } : undefined;
    }
    case 'Service': {
      const service = validateService(scope, raw, header);
      return service && !scope.failed ? { type: 'service', value: service } : undefined;
    }
    case 'Node': {
      const node = validateNode(scope, raw, header);
      return node && !scope.failed ? { type: 'node', value: node } : undefined;
    }
    case 'EndpointSlice': {
      const slice = validateEndpointSlice(scope, raw, header);
      return slice && !scope.failed ? { type: 'endpointSlice', value: slice } : undefined;
    }
    case 'Endpoints': {
      const parts = validateEndpoints(scope, raw, header);
      return parts && !scope.failed ? { type: 'endpoints', id: `${header.namespace}/${header.name}`, value: parts } : undefined;
    }
    default: {
      const pod = validatePodIdentity(scope, kind as WorkloadKind, raw, header);
      return pod && !scope.failed ? { type: 'pod', value: pod } : undefined;
    }
  }
}

/** `Kind/namespace/name`, `Namespace/name`, or `Kind in document 3` when the object has no usable name. */
function objectLabel(kind: string, raw: JsonObject, options: ValidateOptions): string {
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
  if (name === undefined) return `${kind} in ${options.position ?? 'unnamed object'}`;
  if (CLUSTER_SCOPED.has(kind)) return `${kind}/${name}`;
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : options.namespace ?? 'default';
  return `${kind}/${namespace}/${name}`;
}

interface Header {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Name (required), namespace (defaulted) and labels. Returns undefined only when the name is unusable. */
function validateMetadata(scope: ObjectScope, kind: string, raw: unknown, defaultNamespace: string): Header | undefined {
  const path = at(undefined, 'metadata');
  const metadata = optionalObject(scope, raw, path, '{ name: my-name }') ?? {};
  checkKnownFields(scope, metadata, METADATA_FIELDS, path);
  const clusterScoped = CLUSTER_SCOPED.has(kind);
  const name = metadata.name;
  let usableName: string | undefined;
  if (name === undefined || name === null || name === '') {
    const generated = typeof metadata.generateName === 'string' ? ' (generateName gives a name only at creation, so policies and verdicts cannot refer to it)' : '';
    scope.report(at(path, 'name'), `is required${generated}`, `add metadata.name, like name: my-${kind.toLowerCase()}`);
  } else if (typeof name !== 'string') {
    scope.report(at(path, 'name'), `must be a string, not ${typeName(name)}`, quoteFix(name, 'name: '));
  } else {
    // Namespace names are DNS-1123 labels; Node names (ip-10-0-1-17.ec2.internal) and most others, subdomains.
    const problem = kind === 'Namespace' ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name);
    if (problem) scope.report(at(path, 'name'), `"${name}" ${problem}`, `write name: ${suggestDnsName(name)}`);
    else usableName = name;
  }
  let namespace = defaultNamespace;
  if (!clusterScoped && metadata.namespace !== undefined && metadata.namespace !== null && metadata.namespace !== '') {
    if (typeof metadata.namespace !== 'string') {
      scope.report(at(path, 'namespace'), `must be a string, not ${typeName(metadata.namespace)}`, quoteFix(metadata.namespace, 'namespace: '));
    } else {
      const problem = dns1123LabelProblem(metadata.namespace);
      if (problem) scope.report(at(path, 'namespace'), `"${metadata.namespace}" ${problem}`, `write namespace: ${suggestDnsName(metadata.namespace).replace(/\./g, '-')}`);
      else namespace = metadata.namespace;
    }
  }
  const labels = validateLabels(scope, metadata.labels, at(path, 'labels'));
  if (usableName === undefined) return undefined;
  return { name: usableName, namespace, labels, metadata };
}
