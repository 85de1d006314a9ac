/**
 * The eks-netpol engine: the policy model, manifest loading, reachability, lint and the data-plane compiler.
 * Free of any construct framework, so it loads fast in the CLI and in the node agent.
 */
export * from './model/types';
export * from './model/problems';
export { selectorMatches, formatSelector } from './model/selector';
export { parseCidr, parseIp } from './model/cidr';
export * from './model/validate';
export { serviceBackends } from './model/service-backends';
export type { BackendTarget, ServiceBackend, ServiceBackends, ServicePortBackends, UnresolvedBackend } from './model/service-backends';
export * from './manifests';
export * from './verdict/reachability';
export type { Verdict, DirectionVerdict } from './verdict/evaluate';
export { loadReachability, reach } from './verdict/load';
export * from './verdict/diff';
export { probeJson } from './cli/format/json';
export type { ProbeJson, DirectionJson } from './cli/format/json';
export { lintCluster, LintOptionsError, LINT_DISABLE_ANNOTATION, RULES as LINT_RULES, ruleIds as lintRuleIds } from './lint';
export { summarize as summarizeFindings, formatJson as formatLintJson, formatTable as formatLintTable } from './lint';
export type { Finding, LintOptions, LintRule, LintSummary, Severity, EnforcingMode } from './lint';
export { runChecks as runDoctorChecks, gatherClusterFacts, readVpcCniSettings, DoctorError, pinnedVpcCniVersion, VPC_CNI_PINNED_VERSIONS, VPC_CNI_FEATURE_MINIMUMS } from './doctor';
export type { ClusterFacts, CheckResult as DoctorCheckResult, CheckStatus as DoctorCheckStatus } from './doctor';
export * as dataplane from './dataplane';
export { BpfError, DataplaneCompileError } from './dataplane';
