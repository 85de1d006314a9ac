export * from './types';
export { lintCluster, objectRef, sortFindings, summarize } from './lint';
export { LINT_DISABLE_ANNOTATION } from './annotations';
export { RULES, ruleById, ruleIds } from './registry';
export { formatJson, formatTable, lintReport } from './format';
export type { LintReport } from './format';
export { detectEnforcingMode } from './context';
