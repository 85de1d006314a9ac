/**
 * From Kubernetes objects to one ClusterState: validate each object, then check what only the whole input can show
 * (two objects giving the same pod identity, two policies with the same name), add the namespaces and nodes that are
 * referenced but not declared, and place pods on nodes.
 */
import { Problem } from '../model/problems';
import {
  ClusterState, EndpointSlice, NAMESPACE_NAME_LABEL, Namespace, NetworkPolicy, Node, PodIdentity, Service, SourceLocation,
} from '../model/types';
import { ObjectOrigin } from '../model/validate-context';
import { validateObjectInto } from '../model/validate';
import { dns1123LabelProblem, suggestDnsName } from '../model/validate-names';

/** How to read objects into a cluster. */
export interface LoadOptions {
  /**
   * The namespace of objects that do not name one, as `kubectl apply --namespace` gives it.
   *
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Reads standard input when an input is `-`.
   *
   * @default - reads file descriptor 0 to its end
   */
  readonly readStdin?: () => string;
}

/** A cluster and every problem found on the way. When `problems` is not empty, objects with problems are missing. */
export interface LoadResult {
  readonly cluster: ClusterState;
  readonly problems: Problem[];
}

/** One raw object of the input, with where it came from. */
export interface SourcedObject {
  readonly raw: unknown;
  /** File and line, when the object came from a file. */
  readonly origin?: ObjectOrigin;
  /** How to name the object when it has no name: `document 3`, `object 2`. */
  readonly position: string;
}

/**
 * Plain Kubernetes objects (what cdk8s `Chart.toJson()` returns, or test fixtures) to a ClusterState.
 *
 * With `file`, each object's source is `file:N`, N being its 1-based position in `objects` (there are no lines).
 */
export function clusterFromObjects(objects: readonly unknown[], options: LoadOptions & { file?: string } = {}): LoadResult {
  const file = options.file;
  const sourced = objects.map((raw, index): SourcedObject => ({
    raw,
    origin: file === undefined ? undefined : { file, line: index + 1 },
    position: `object ${index + 1}`,
  }));
  return assembleCluster(sourced, options);
}

/** Validates every object and builds the cluster, with the problems of the objects and of the whole. */
export function assembleCluster(objects: Iterable<SourcedObject>, options: LoadOptions = {}, problems: Problem[] = []): LoadResult {
  const namespaces: Namespace[] = [];
  const pods: PodIdentity[] = [];
  const policies: NetworkPolicy[] = [];
  const services: Service[] = [];
  const nodes: Node[] = [];
  const endpointSlices: EndpointSlice[] = [];
  const seen = new Seen(problems);
  const namespaceProblem = options.namespace === undefined ? undefined : dns1123LabelProblem(options.namespace);
  if (namespaceProblem) {
    problems.push({
      object: 'the namespace option', field: 'namespace', message: `"${options.namespace}" ${namespaceProblem}`,
      fix: `give a namespace name like ${suggestDnsName(options.namespace!).replace(/\./g, '-')}`,
    });
  }
  for (const object of objects) {
    const model = validateObjectInto(object.raw, { namespace: options.namespace, origin: object.origin, position: object.position }, problems);
    if (!model) continue;
    switch (model.type) {
      case 'namespace':
        if (seen.first('namespace', model.value.name, 'Namespace', object, model.value.source)) namespaces.push(model.value);
        break;
      case 'pod':
        if (seen.first('pod identity', model.value.id, model.value.kind, object, model.value.source)) pods.push(model.value);
        break;
      case 'policy':
        if (seen.first('NetworkPolicy', model.value.id, 'NetworkPolicy', object, model.value.source)) policies.push(model.value);
        break;
      case 'service':
        if (seen.first('Service', model.value.id, 'Service', object, model.value.source)) services.push(model.value);
        break;
      case 'node':
        if (seen.first('Node', model.value.name, 'Node', object, model.value.source)) nodes.push(model.value);
        break;
      case 'endpointSlice':
        if (seen.first('EndpointSlice', model.value.id, 'EndpointSlice', object, model.value.source)) endpointSlices.push(model.value);
        break;
      case 'endpoints':
        if (seen.first('Endpoints', model.id, 'Endpoints', object, model.value[0]?.source ?? originSource(object))) endpointSlices.push(...model.value);
        break;
    }
  }
  const placed = placePods(pods, nodes);
  const cluster: ClusterState = {
    namespaces: withReferencedNamespaces(namespaces, [...placed, ...policies, ...services, ...endpointSlices]),
    pods: placed,
    policies,
    services,
    nodes: withReferencedNodes(nodes, placed),
    endpointSlices,
  };
  return { cluster, problems };
}

/** The object's own file and line, when it came from a file. */
function originSource(object: SourcedObject): SourceLocation | undefined {
  return object.origin ? { file: object.origin.file, line: object.origin.line } : undefined;
}

/** `file:line`, or the position (`object 3`) when the object has no file. */
function describePlace(object: SourcedObject): string {
  return object.origin ? `${object.origin.file}:${object.origin.line}` : object.position;
}

/** Remembers which identities were given where, and reports the second giver of each. */
class Seen {
  /** For each space (pod identity, NetworkPolicy...), the kind and object that first gave each id. */
  private readonly spaces = new Map<string, Map<string, { kind: string; object: SourcedObject }>>();

  constructor(private readonly problems: Problem[]) {}

  /** True the first time `id` of `space` is seen; reports a problem naming both places otherwise. */
  first(space: string, id: string, kind: string, object: SourcedObject, source: SourceLocation | undefined): boolean {
    let ids = this.spaces.get(space);
    if (!ids) {
      ids = new Map();
      this.spaces.set(space, ids);
    }
    const earlier = ids.get(id);
    if (!earlier) {
      ids.set(id, { kind, object });
      return true;
    }
    const label = `${kind}/${id}`;
    const both = `${earlier.kind} at ${describePlace(earlier.object)} and ${kind} at ${describePlace(object)}`;
    this.problems.push({
      object: label,
      field: 'metadata.name',
      message: `duplicate ${space} ${id}: given by ${both}`,
      fix: space === 'pod identity'
        ? 'rename one of the two objects (each Pod and workload of a namespace must have its own name), or remove the copy'
        : 'rename one of the two, or remove the copy',
      source,
    });
    return false;
  }
}

/** Declared namespaces, then every namespace referenced but not declared (only its automatic label), by name. */
function withReferencedNamespaces(declared: Namespace[], items: readonly { readonly namespace: string }[]): Namespace[] {
  const known = new Set(declared.map((ns) => ns.name));
  const referenced = new Set<string>();
  for (const item of items) {
    if (!known.has(item.namespace)) referenced.add(item.namespace);
  }
  const implicit = [...referenced].sort().map((name): Namespace => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name }, declared: false }));
  return [...declared, ...implicit];
}

/**
 * Pods with a host IP but no spec.nodeName (a hand-written status) go on the declared Node with that address: the
 * kubelet sets status.hostIP to its node's primary address. Every other pod is returned as it is.
 */
function placePods(pods: PodIdentity[], nodes: readonly Node[]): PodIdentity[] {
  if (nodes.length === 0) return pods;
  const byAddress = new Map<string, string>();
  for (const node of nodes) for (const address of node.addresses) if (!byAddress.has(address)) byAddress.set(address, node.name);
  return pods.map((pod) => {
    if (pod.nodeName !== undefined || !pod.hostIPs) return pod;
    const nodeName = pod.hostIPs.map((ip) => byAddress.get(ip)).find((name) => name !== undefined);
    return nodeName === undefined ? pod : { ...pod, nodeName };
  });
}

/**
 * Declared nodes, then every node pods name but the input does not declare, by name, with the host IPs its pods
 * report as its addresses (what probes from that node carry). A declared Node's addresses are its own: the Node
 * object is the authority, a pod's status may be stale.
 */
function withReferencedNodes(declared: Node[], pods: readonly PodIdentity[]): Node[] {
  const known = new Set(declared.map((node) => node.name));
  const referenced = new Map<string, string[]>();
  for (const pod of pods) {
    if (pod.nodeName === undefined || known.has(pod.nodeName)) continue;
    let addresses = referenced.get(pod.nodeName);
    if (!addresses) referenced.set(pod.nodeName, (addresses = []));
    for (const ip of pod.hostIPs ?? []) if (!addresses.includes(ip)) addresses.push(ip);
  }
  const implicit = [...referenced.keys()].sort().map((name): Node => ({
    name, addresses: referenced.get(name)!, externalAddresses: [], labels: {}, declared: false,
  }));
  return [...declared, ...implicit];
}
