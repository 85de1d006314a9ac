/**
 * The lint contract: what a rule sees, what it reports, and the options that change its view of the cluster.
 */
import { SourceLocation } from '../model/types';
import type { LintContext } from './context';

/** How bad a finding is. Errors make `eks-netpol lint` exit 1. */
export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** The VPC CNI's `NETWORK_POLICY_ENFORCING_MODE`: `strict` starts every pod default-deny in both directions. */
export type EnforcingMode = 'standard' | 'strict';

/** One finding, as `eks-netpol lint --output json` prints it. */
export interface Finding {
  /** The rule id, e.g. `dns-egress-blocked`. */
  readonly rule: string;
  readonly severity: Severity;
  /** `Kind/namespace/name` of the object to change. */
  readonly object: string;
  /** Where the object was read from; absent for objects built in memory (constructs). */
  readonly file?: string;
  readonly line?: number;
  readonly message: string;
  /** What to write instead. */
  readonly fix: string;
}

/** The object a finding is about, with what the runner needs to place and silence it. */
export interface FindingSubject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly source?: SourceLocation;
  /** The object's metadata as written: its `eks-netpol.io/lint-disable` annotation silences rules. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What a rule reports; the runner adds the rule id, the default severity and the location. */
export interface RuleFinding {
  readonly subject: FindingSubject;
  readonly message: string;
  readonly fix: string;
  /**
   * Overrides the rule's severity for this finding (for example info when the input may be partial).
   *
   * @default - the rule's severity
   */
  readonly severity?: Severity;
  /**
   * Metadata of other objects whose lint-disable annotation also silences this finding: the policies that cause a
   * finding reported on a pod (a policy that denies all egress on purpose can say so once).
   *
   * @default - only the subject's annotation counts
   */
  readonly silencedAlsoBy?: readonly (Readonly<Record<string, unknown>> | undefined)[];
}

/** One lint rule: an id, what it catches, and the check. */
export interface LintRule {
  /** kebab-case, stable: users name it in `--disable` and in annotations. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what the rule catches (the README table uses it). */
  readonly summary: string;
  readonly check: (context: LintContext) => RuleFinding[];
}

/** Options of `lintCluster`. */
export interface LintOptions {
  /**
   * The VPC CNI enforcing mode the cluster runs with.
   *
   * @default - `strict` when the input holds the `aws-node` DaemonSet with NETWORK_POLICY_ENFORCING_MODE=strict,
   * else `standard`
   */
  readonly enforcingMode?: EnforcingMode;
  /**
   * Rule ids to skip.
   *
   * @default - none
   */
  readonly disable?: readonly string[];
  /**
   * The cluster's pod CIDRs (for `ipblock-covers-cluster-cidr` and the cluster's IP family).
   *
   * @default - none
   */
  readonly podCidrs?: readonly string[];
  /**
   * The cluster's service CIDRs (for `ipblock-covers-cluster-cidr`).
   *
   * @default - none
   */
  readonly serviceCidrs?: readonly string[];
  /**
   * Whether pods resolve names through NodeLocal DNSCache (169.254.20.10).
   *
   * @default - true when the input holds a `node-local-dns` workload
   */
  readonly nodeLocalDns?: boolean;
}

/** Counts by severity, as the JSON `summary` prints them. */
export interface LintSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

/** Raised for options that name no rule or hold a malformed CIDR. */
export class LintOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintOptionsError';
  }
}
