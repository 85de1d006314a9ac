import { isIP } from 'net';

/**
 * The eks-netpol node agent's Kubernetes objects (ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet), built
 * by ONE pure function that both flavours use: PolicyAgent (aws-cdk-lib, through the kubectl provider) and
 * PolicyAgentChart (cdk8s, for GitOps). Keeping the objects here, free of any construct framework, means the two can
 * never drift apart.
 *
 * Security model, in short (the README section "Our eBPF agent instead of the VPC CNI's" says it at length):
 * - no `privileged`; every capability dropped, then exactly {@link POLICY_AGENT_CAPABILITIES} added back;
 * - uid 0 inside the container, because Kubernetes puts added capabilities into the effective set of root only (the
 *   pod API has no ambient capabilities, so a non-root process would hold none of them);
 * - read-only root filesystem, no privilege escalation, RBAC read-only except the one pod annotation it writes;
 * - an init container with no capability at all installs the CNI plugin eks-netpol-cni into the host's CNI
 *   directories (root-owned, hence uid 0), the only host paths written besides bpffs and the agent's socket directory.
 */

/** How the agent runs on each node: the settings PolicyAgent (aws-cdk-lib) and PolicyAgentChart (cdk8s) share. */
export interface PolicyAgentSettings {
  /**
   * `standard`: a pod is open until a policy selects it; `strict`: interfaces the agent has not programmed are denied.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * Port of /healthz, /readyz and /metrics on every node (the agent runs in the host network).
   *
   * @default 9476
   */
  readonly port?: number;
  /**
   * The address the agent's HTTP endpoints bind to on the node. `::` serves IPv4 and IPv6 (IPv6-only clusters need it).
   *
   * @default '0.0.0.0'
   */
  readonly listenAddress?: string;
  /**
   * Namespace of the agent's ServiceAccount and DaemonSet.
   *
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * bpffs directory of the agent's pinned maps and links; it must lie under /sys/fs/bpf.
   *
   * @default '/sys/fs/bpf/eks-netpol'
   */
  readonly pinDir?: string;
  /**
   * CPU and memory requests and limits of the agent container.
   *
   * @default - requests 50m CPU / 128Mi, limit 256Mi memory (the agent targets at most 150 MB RSS)
   */
  readonly resources?: PolicyAgentResources;
}

/** Everything the objects depend on, already validated ({@link checkPolicyAgentOptions}). */
export interface PolicyAgentManifestOptions extends PolicyAgentSettings {
  /** The container image (an ECR URI from a DockerImageAsset, or any registry reference). */
  readonly image: string;
  /**
   * Name of every object (ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet).
   *
   * @default 'eks-netpol-agent'
   */
  readonly name?: string;
}

/** Container resources, as Kubernetes quantities. */
export interface PolicyAgentResources {
  /** @default '50m' */
  readonly cpuRequest?: string;
  /** @default '128Mi' */
  readonly memoryRequest?: string;
  /** @default '256Mi' */
  readonly memoryLimit?: string;
}

/** A problem with the options: the prop at fault, what is wrong and how to fix it. */
export interface PolicyAgentOptionProblem {
  readonly prop: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * The capabilities the agent holds, and why each:
 * - BPF: create maps and load programs (kernel 5.8+ split it out of SYS_ADMIN);
 * - NET_ADMIN: load SCHED_CLS programs and attach them to the pods' host veths (TCX links, clsact qdiscs);
 * - PERFMON: the verifier refuses our programs' packet-pointer comparisons without it ("pointer comparison prohibited":
 *   without PERFMON it treats the loader as untrusted and forbids pointer leaks). Measured on kernel 6.18 by loading
 *   bpf/build/netpol.bpf.o with only BPF + NET_ADMIN in the bounding set: refused; with PERFMON added: loaded and pinned.
 * SYS_ADMIN is NOT needed: pinning in an already-mounted bpffs is an ordinary file create (the host mounts bpffs, so
 * the agent never mounts), re-adoption opens pins by path (BPF_OBJ_GET), never by id (which would need SYS_ADMIN).
 */
export const POLICY_AGENT_CAPABILITIES: readonly string[] = ['BPF', 'NET_ADMIN', 'PERFMON'];

export const POLICY_AGENT_DEFAULTS = {
  namespace: 'kube-system',
  name: 'eks-netpol-agent',
  mode: 'standard',
  port: 9476,
  listenAddress: '0.0.0.0',
  pinDir: '/sys/fs/bpf/eks-netpol',
  cpuRequest: '50m',
  memoryRequest: '128Mi',
  memoryLimit: '256Mi',
} as const;

/**
 * Where the chained CNI plugin eks-netpol-cni lives on a node, and the socket it reaches the agent by. These are the
 * kubelet's and the VPC CNI's own directories on every EKS AMI; the socket directory is shared by the host (where the
 * runtime runs the plugin) and the agent's container at the same path, so both name the socket alike.
 */
export const POLICY_AGENT_CNI = {
  binDir: '/opt/cni/bin',
  confDir: '/etc/cni/net.d',
  socketDir: '/run/eks-netpol',
  socket: '/run/eks-netpol/cni.sock',
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Every problem with the options; empty when they are valid. Values that are unresolved tokens are the caller's to skip. */
export function checkPolicyAgentOptions(options: Omit<PolicyAgentManifestOptions, 'image'>): PolicyAgentOptionProblem[] {
  const problems: PolicyAgentOptionProblem[] = [];
  for (const key of ['namespace', 'name'] as const) {
    const value = options[key];
    if (value !== undefined && !DNS_LABEL.test(value)) {
      problems.push({ prop: key, message: `"${value}" is not a DNS label (lower case letters, digits and "-", at most 63)`, fix: `use e.g. "${POLICY_AGENT_DEFAULTS[key]}"` });
    }
  }
  if (options.mode !== undefined && options.mode !== 'standard' && options.mode !== 'strict') {
    problems.push({ prop: 'mode', message: `"${options.mode}" is not an enforcing mode`, fix: "use 'standard' or 'strict'" });
  }
  const port = options.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
    problems.push({
      prop: 'port',
      message: `${port} is not a port from 1024 to 65535 (the agent shares the node's network, so low ports are the node's)`,
      fix: `leave it out (${POLICY_AGENT_DEFAULTS.port}) or give a free unprivileged port`,
    });
  }
  const address = options.listenAddress;
  if (address !== undefined && isIP(address) === 0) {
    problems.push({ prop: 'listenAddress', message: `"${address}" is not an IP address`, fix: "use '0.0.0.0' (IPv4) or '::' (IPv4 and IPv6)" });
  }
  const pinDir = options.pinDir;
  if (pinDir !== undefined && !/^\/sys\/fs\/bpf\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(pinDir)) {
    problems.push({
      prop: 'pinDir',
      message: `"${pinDir}" is not a directory under /sys/fs/bpf (only bpffs can hold pinned maps and links)`,
      fix: `use e.g. "${POLICY_AGENT_DEFAULTS.pinDir}"`,
    });
  }
  return problems;
}

/**
 * The agent's objects, in apply order: ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet. Pure: equal
 * options give deep-equal (and JSON byte-identical) objects.
 */
export function policyAgentManifests(options: PolicyAgentManifestOptions): Record<string, unknown>[] {
  const namespace = options.namespace ?? POLICY_AGENT_DEFAULTS.namespace;
  const name = options.name ?? POLICY_AGENT_DEFAULTS.name;
  const port = options.port ?? POLICY_AGENT_DEFAULTS.port;
  const pinDir = options.pinDir ?? POLICY_AGENT_DEFAULTS.pinDir;
  const mode = options.mode ?? POLICY_AGENT_DEFAULTS.mode;
  const address = options.listenAddress ?? POLICY_AGENT_DEFAULTS.listenAddress;
  const listen = isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  const resources = options.resources ?? {};
  // Stable, explicit labels: the DaemonSet's selector is immutable, so it must never depend on a construct path.
  // A fresh object at each use: consumers (aws-eks's prune labels) add keys in place, which must not leak elsewhere.
  const labels = () => ({
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': 'node-agent',
    'app.kubernetes.io/part-of': 'eks-netpol',
  });
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'node-agent' };
  // Root without any capability: enough to write the root-owned CNI directories of the host, nothing more.
  const unprivileged = (capabilities: readonly string[]) => ({
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    // uid 0 but no other power: Kubernetes grants added capabilities to root only (see file comment).
    runAsUser: 0,
    runAsNonRoot: false,
    capabilities: capabilities.length > 0 ? { drop: ['ALL'], add: [...capabilities] } : { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    // hostNetwork: the pod IP is the node IP, where the agent listens (listenAddress), and where the kubelet probes.
    httpGet: { path, port },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });

  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: labels() } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: labels() },
      rules: [
        // Read-only: every pod (selectors match pods on any node), namespaces (namespaceSelector), the policies,
        // Services and EndpointSlices (what a cluster IP stands for) and Nodes (whose traffic to their pods is allowed).
        { apiGroups: [''], resources: ['pods', 'namespaces', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        // The one write: the eks-netpol.io/programmed annotation on the node's pods (a merge patch of metadata).
        { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace, labels: labels() },
      spec: {
        selector: { matchLabels: selector },
        // One node at a time: an agent restart keeps enforcement (pins are re-adopted), so a slow roll costs nothing.
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: labels() },
          spec: {
            serviceAccountName: name,
            hostNetwork: true,
            // Host network: resolve cluster names through CoreDNS anyway (the agent itself only talks to the API).
            dnsPolicy: 'ClusterFirstWithHostNet',
            priorityClassName: 'system-node-critical',
            // Every node, whatever its taints: a node without the agent would run pods unpoliced.
            tolerations: [{ operator: 'Exists' }],
            // Graceful shutdown leaves enforcement in place; the agent only stops its watches and server.
            terminationGracePeriodSeconds: 30,
            // Before the agent starts, eks-netpol-cni joins the VPC CNI's chain: from then on a pod's CNI ADD
            // returns only once the agent has programmed it (strict: not at all while the agent is down), so no pod
            // sends a packet its policies have not judged. Standard mode installs it too: a pod that policies select
            // at its start is then enforced from its first packet, and an absent agent costs nothing there (ADD warns
            // and goes on). Until aws-node has written its conflist, the install fails and the kubelet retries it.
            initContainers: [
              {
                name: 'install-cni',
                image: options.image,
                args: ['install-cni', '--bin-dir', `/host${POLICY_AGENT_CNI.binDir}`, '--conf-dir', `/host${POLICY_AGENT_CNI.confDir}`,
                  '--mode', mode, '--cni-socket', POLICY_AGENT_CNI.socket],
                resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                securityContext: unprivileged([]),
                volumeMounts: [
                  { name: 'cni-bin', mountPath: `/host${POLICY_AGENT_CNI.binDir}` },
                  { name: 'cni-conf', mountPath: `/host${POLICY_AGENT_CNI.confDir}` },
                ],
              },
            ],
            containers: [
              {
                name: 'agent',
                image: options.image,
                // --cni-conf-dir: aws-node writes its conflist anew at each start; the agent puts the plugin back.
                args: ['--node-name', '$(NODE_NAME)', '--mode', mode, '--pin-dir', pinDir, '--cni-socket', POLICY_AGENT_CNI.socket,
                  '--cni-conf-dir', `/host${POLICY_AGENT_CNI.confDir}`, '--listen', listen],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http-metrics', containerPort: port, protocol: 'TCP' }],
                readinessProbe: probe('/readyz', 5, 3),
                livenessProbe: { ...probe('/healthz', 10, 6), initialDelaySeconds: 10 },
                resources: {
                  requests: {
                    cpu: resources.cpuRequest ?? POLICY_AGENT_DEFAULTS.cpuRequest,
                    memory: resources.memoryRequest ?? POLICY_AGENT_DEFAULTS.memoryRequest,
                  },
                  limits: { memory: resources.memoryLimit ?? POLICY_AGENT_DEFAULTS.memoryLimit },
                },
                securityContext: unprivileged(POLICY_AGENT_CAPABILITIES),
                volumeMounts: [
                  // HostToContainer, not Bidirectional: the API allows Bidirectional only for privileged containers,
                  // and the agent never mounts: its pins live in the host's own bpffs, visible to the host as created.
                  { name: 'bpffs', mountPath: '/sys/fs/bpf', mountPropagation: 'HostToContainer' },
                  { name: 'sys', mountPath: '/host/sys', readOnly: true },
                  // The CNI socket, where the host's runtime runs the plugin.
                  { name: 'cni-socket', mountPath: POLICY_AGENT_CNI.socketDir },
                  // The conflist, to keep the plugin in its chain; both, so that `kubectl exec ... agent uninstall-cni`
                  // can take the plugin off the node.
                  { name: 'cni-bin', mountPath: `/host${POLICY_AGENT_CNI.binDir}` },
                  { name: 'cni-conf', mountPath: `/host${POLICY_AGENT_CNI.confDir}` },
                ],
              },
            ],
            volumes: [
              // Directory, not DirectoryOrCreate: an empty directory in place of bpffs would lose every pin on restart.
              { name: 'bpffs', hostPath: { path: '/sys/fs/bpf', type: 'Directory' } },
              { name: 'sys', hostPath: { path: '/sys', type: 'Directory' } },
              { name: 'cni-socket', hostPath: { path: POLICY_AGENT_CNI.socketDir, type: 'DirectoryOrCreate' } },
              // Directory: the VPC CNI creates both; were they missing, there would be no chain to join.
              { name: 'cni-bin', hostPath: { path: POLICY_AGENT_CNI.binDir, type: 'Directory' } },
              { name: 'cni-conf', hostPath: { path: POLICY_AGENT_CNI.confDir, type: 'Directory' } },
            ],
          },
        },
      },
    },
  ];
}
