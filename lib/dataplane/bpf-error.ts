import { constants } from 'node:os';

/** What the native binding passes when a libbpf call fails. */
export interface BpfErrorDetails {
  /** Positive errno (or a libbpf error code above 4000). */
  readonly errno: number;
  /** The libbpf call or step that failed: `bpf_map_update_batch`, `bpf_object__load`, `bpf_link_create(tcx)`. */
  readonly op: string;
  /** What it acted on: `map netpol_pods (fd 12)`, `object bpf/build/netpol.bpf.o`, `interface p3 ingress`. */
  readonly context: string;
  /** strerror text of errno. */
  readonly reason: string;
  /** libbpf's own messages during the call, when it printed any (a verifier rejection prints the verifier log). */
  readonly log?: string;
}

/** errno number -> name; the first name wins where two share a number (EAGAIN over EWOULDBLOCK). */
const ERRNO_NAMES: ReadonlyMap<number, string> = (() => {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(constants.errno)) if (!names.has(value)) names.set(value, name);
  return names;
})();

/** The program named in libbpf's "prog 'x': BPF program load failed" line. */
function failedProgram(log: string | undefined): string | undefined {
  return log ? /prog '([^']+)': (?:BPF program load failed|failed to load)/.exec(log)?.[1] : undefined;
}

/** The verifier's own output, between libbpf's BEGIN/END PROG LOAD LOG markers. */
function verifierLogOf(log: string | undefined): string | undefined {
  if (!log) return undefined;
  const match = /-- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/.exec(log);
  return match ? match[1] : undefined;
}

/**
 * A failed eBPF operation: a libbpf call of the native binding, with errno, the operation, what it acted on and,
 * for a program the verifier rejected, the verifier log.
 */
export class BpfError extends Error {
  /** Positive errno (`EPERM` is 1). */
  readonly errno: number;
  /** The symbolic errno (`EPERM`, `ENOENT`), or `E<number>` for libbpf's own codes. */
  readonly code: string;
  /** The libbpf call or step that failed. */
  readonly op: string;
  /** What it acted on (object path, map name and fd, interface and direction). */
  readonly context: string;
  /** Everything libbpf printed during the call, when anything. */
  readonly libbpfLog?: string;
  /** The verifier log, when the kernel's verifier rejected a program. */
  readonly verifierLog?: string;
  /** The rejected program's name, when the verifier rejected one. */
  readonly program?: string;

  constructor(details: BpfErrorDetails) {
    const program = failedProgram(details.log);
    const verifierLog = verifierLogOf(details.log);
    const code = ERRNO_NAMES.get(details.errno) ?? `E${details.errno}`;
    // EAGAIN: the load was interrupted by a signal (a profiler's, say), not refused; retrying is the fix.
    const rejected = verifierLog !== undefined && code !== 'EAGAIN' && code !== 'EINTR';
    const what = rejected
      ? `the kernel's verifier rejected program ${program ?? '(unknown)'} in ${details.context}`
      : `${details.op} failed on ${details.context}${program ? ` (program ${program})` : ''}`;
    super(`${what}: ${details.reason} (${code})${BpfError.hint(code, details.op)}`);
    this.name = 'BpfError';
    this.errno = details.errno;
    this.code = code;
    this.op = details.op;
    this.context = details.context;
    this.libbpfLog = details.log;
    this.verifierLog = rejected ? verifierLog : undefined;
    this.program = program;
  }

  /** A fix for the failures people meet first. */
  private static hint(code: string, op: string): string {
    if (code === 'EPERM' || code === 'EACCES') {
      return op === 'bpf_object__load' && code === 'EACCES'
        ? '. See verifierLog for the instruction the verifier refused.'
        : '. eBPF needs root (or CAP_BPF and CAP_NET_ADMIN).';
    }
    if (code === 'EAGAIN') return '. The load was interrupted by a signal: retry.';
    if (code === 'ENOENT' && (op === 'bpf_obj_get' || op === 'bpf_obj_pin')) {
      return '. Is bpffs mounted? (mount -t bpf bpf /sys/fs/bpf)';
    }
    return '';
  }
}
