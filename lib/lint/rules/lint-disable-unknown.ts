import { podSubject, policySubject, serviceSubject } from '../context';
import { LINT_DISABLE_ANNOTATION, silencedRules } from '../annotations';
// The registry imports this rule too; ruleById is only called at check time, when both modules are loaded.
import { ruleById } from '../registry';
import { FindingSubject, LintRule, RuleFinding } from '../types';

/**
 * A typo in the lint-disable annotation would silence nothing without a word: report the ids that name no rule.
 */
export const lintDisableUnknown: LintRule = {
  id: 'lint-disable-unknown',
  severity: 'warning',
  summary: `An ${LINT_DISABLE_ANNOTATION} annotation that names no lint rule, so it silences nothing.`,
  check(context) {
    const subjects: FindingSubject[] = [
      ...context.pods.map((p) => podSubject(p.pod)),
      ...context.policies.map(policySubject),
      ...context.services.map(serviceSubject),
    ];
    const findings: RuleFinding[] = [];
    for (const subject of subjects) {
      const unknown = silencedRules(subject.metadata).filter((id) => id !== 'all' && !ruleById(id));
      for (const id of unknown) {
        findings.push({
          subject,
          message: `the ${LINT_DISABLE_ANNOTATION} annotation names "${id}", which is not a lint rule, so it silences nothing.`,
          fix: 'name rule ids as `eks-netpol lint --help` lists them, separated by commas, or `all`',
        });
      }
    }
    return findings;
  },
};
