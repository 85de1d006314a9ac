import { podSubject } from '../context';
import { dnsStatuses, isolatingPolicies, isolationReason } from '../dns';
import { LintRule, RuleFinding } from '../types';

/**
 * DNS falls back to TCP for answers over 512 bytes (many records, DNSSEC) and some resolvers use TCP outright:
 * allowing UDP 53 alone makes those lookups fail intermittently.
 */
export const dnsTcpMissing: LintRule = {
  id: 'dns-tcp-missing',
  severity: 'warning',
  summary: 'DNS is allowed on UDP 53 but not on TCP 53, so large answers (truncated UDP, retried over TCP) fail.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const status of dnsStatuses(context)) {
      const udp = status.kubeDns.UDP || status.nodeLocal?.UDP;
      const tcp = status.kubeDns.TCP || status.nodeLocal?.TCP;
      if (!udp || tcp) continue;
      findings.push({
        subject: podSubject(status.pod.pod),
        silencedAlsoBy: isolatingPolicies(context, status),
        message: `${status.pod.id} may send DNS over UDP 53 but not over TCP 53 (${isolationReason(context, status)}): answers too large for UDP are retried over TCP and then fail.`,
        fix: 'add `{protocol: TCP, port: 53}` next to `{protocol: UDP, port: 53}` in the egress rule that allows DNS',
      });
    }
    return findings;
  },
};
