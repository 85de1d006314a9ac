import { formatJson, formatTable, lintCluster, LintOptionsError, RULES, sortFindings } from '../../lib/lint';
import { Finding } from '../../lib/lint/types';
import { clusterOf, deployment, DENY_ALL_EGRESS, findingsOf, lint, namespace, pod, policy } from './fixtures';

const DISABLE = 'eks-netpol.io/lint-disable';
const web = deployment('shop', 'web', { app: 'web' });

describe('the lint runner', () => {
  test('every rule has a kebab-case id, a severity and a one-line summary, and ids are unique', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(rule.summary).not.toContain('\n');
    }
  });

  test('options.disable skips a rule; an unknown id is an options error naming the rules', () => {
    const cluster = clusterOf([web, policy('shop', 'deny', DENY_ALL_EGRESS)]);
    expect(lintCluster(cluster).map((f) => f.rule)).toContain('dns-egress-blocked');
    expect(lintCluster(cluster, { disable: ['dns-egress-blocked'] }).map((f) => f.rule)).not.toContain('dns-egress-blocked');
    expect(() => lintCluster(cluster, { disable: ['dns'] })).toThrow(LintOptionsError);
    expect(() => lintCluster(cluster, { disable: ['dns'] })).toThrow(/dns-egress-blocked/);
  });

  test('the annotation on the finding\'s object silences the listed rules only', () => {
    const annotated = deployment('shop', 'web', { app: 'web' }, { annotations: { [DISABLE]: 'dns-tcp-missing, dns-egress-blocked' } });
    expect(findingsOf('dns-egress-blocked', [annotated, policy('shop', 'deny', DENY_ALL_EGRESS)])).toEqual([]);
    const other = deployment('shop', 'web', { app: 'web' }, { annotations: { [DISABLE]: 'eks-sctp' } });
    expect(findingsOf('dns-egress-blocked', [other, policy('shop', 'deny', DENY_ALL_EGRESS)])).toHaveLength(1);
  });

  test('"all" silences every rule for the object', () => {
    const bare = pod('shop', 'debug', { app: 'web' }, { annotations: { [DISABLE]: 'all' } });
    expect(lint([bare, policy('shop', 'deny', DENY_ALL_EGRESS)]).filter((f) => f.object === 'Pod/shop/debug')).toEqual([]);
  });

  test('a policy that denies all egress on purpose silences the DNS findings of the pods it isolates', () => {
    const locked = policy('shop', 'deny', DENY_ALL_EGRESS, { [DISABLE]: 'dns-egress-blocked' });
    expect(findingsOf('dns-egress-blocked', [web, locked])).toEqual([]);
  });

  test('an annotation naming no rule is itself reported', () => {
    const typo = deployment('shop', 'web', { app: 'web' }, { annotations: { [DISABLE]: 'dns-egres-blocked' } });
    const [finding] = findingsOf('lint-disable-unknown', [typo]);
    expect(finding).toMatchObject({ object: 'Deployment/shop/web', severity: 'warning' });
    expect(finding.message).toContain('"dns-egres-blocked"');
    expect(findingsOf('lint-disable-unknown', [web])).toEqual([]);
  });

  test('findings are sorted by file, line, object, severity and rule', () => {
    const f = (file: string | undefined, line: number | undefined, object: string, severity: Finding['severity'], rule: string): Finding =>
      ({ rule, severity, object, file, line, message: 'm', fix: 'f' });
    const sorted = sortFindings([
      f(undefined, undefined, 'Pod/a/a', 'error', 'r'),
      f('b.yaml', 1, 'Pod/a/a', 'error', 'r'),
      f('a.yaml', 9, 'Pod/a/z', 'info', 'r'),
      f('a.yaml', 9, 'Pod/a/z', 'error', 'r'),
      f('a.yaml', 10, 'Pod/a/a', 'error', 'r'),
    ]);
    expect(sorted.map((x) => `${x.file}:${x.line}:${x.severity}`)).toEqual([
      'a.yaml:9:error', 'a.yaml:9:info', 'a.yaml:10:error', 'b.yaml:1:error', 'undefined:undefined:error',
    ]);
  });

  test('the same cluster in another object order gives byte-identical output', () => {
    const objects = [
      namespace('shop'), web, deployment('shop', 'api', { app: 'api' }),
      policy('shop', 'deny', DENY_ALL_EGRESS), policy('shop', 'typo', { podSelector: { matchLabels: { app: 'nope' } } }),
    ];
    const forward = lintCluster(clusterOf(objects));
    const backward = lintCluster(clusterOf([...objects].reverse()));
    expect(forward.length).toBeGreaterThan(2);
    // Lines differ with the order of objects; everything else must not.
    const strip = (findings: Finding[]) => findings.map(({ line: _line, ...rest }) => rest).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(strip(backward)).toEqual(strip(forward));
    expect(formatJson(lintCluster(clusterOf(objects)))).toBe(formatJson(forward));
    expect(formatTable(lintCluster(clusterOf(objects)))).toBe(formatTable(forward));
  });

  test('findings of objects built in memory carry no file or line, and the JSON omits them', () => {
    const cluster = clusterOf([web, policy('shop', 'deny', DENY_ALL_EGRESS)]);
    const inMemory = { ...cluster, pods: cluster.pods.map((p) => ({ ...p, source: undefined })) };
    const [finding] = lintCluster(inMemory).filter((f) => f.rule === 'dns-egress-blocked');
    expect(finding.file).toBeUndefined();
    expect(JSON.parse(formatJson([finding])).findings[0]).not.toHaveProperty('file');
  });
});
