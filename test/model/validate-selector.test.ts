import { load, onlyProblem, policyYaml, SPEC_LINE } from './fixtures';

const OBJECT = 'NetworkPolicy/shop/web';

describe('label selectors', () => {
  test('matchLabels and the four operators are kept as written', () => {
    const { cluster, problems } = load(policyYaml([
      'podSelector:',
      '  matchLabels: {app: web}',
      '  matchExpressions:',
      '  - {key: tier, operator: In, values: [a, b]}',
      '  - {key: env, operator: NotIn, values: [dev]}',
      '  - {key: example.com/owner, operator: Exists}',
      '  - {key: legacy, operator: DoesNotExist}',
    ].join('\n')));
    expect(problems).toEqual([]);
    expect(cluster.policies[0].podSelector).toEqual({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'example.com/owner', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  test('an operator other than the four', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - key: app\n    operator: Equals\n    values: [web]'))).toEqual({
      object: OBJECT, field: 'spec.podSelector.matchExpressions[0].operator', message: 'unsupported operator "Equals"',
      fix: 'use one of In, NotIn, Exists, DoesNotExist', source: { file: 'policy.yaml', line: SPEC_LINE + 3 },
    });
  });

  test('an operator in the wrong case suggests the right one', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - {key: app, operator: notin, values: [web]}'))).toMatchObject({
      message: 'unsupported operator "notin"', fix: 'write "NotIn" (operators are case-sensitive)',
    });
  });

  test('In without values', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - key: app\n    operator: In'))).toEqual({
      object: OBJECT, field: 'spec.podSelector.matchExpressions[0].values', message: 'must be specified when operator is In',
      fix: 'list at least one value (values: [web]), or use Exists for "any value"', source: { file: 'policy.yaml', line: SPEC_LINE + 2 },
    });
  });

  test('NotIn with an empty value list', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - key: app\n    operator: NotIn\n    values: []'))).toMatchObject({
      field: 'spec.podSelector.matchExpressions[0].values', message: 'must be specified when operator is NotIn',
      source: { line: SPEC_LINE + 4 },
    });
  });

  test('Exists with values', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - key: app\n    operator: Exists\n    values: [web]'))).toEqual({
      object: OBJECT, field: 'spec.podSelector.matchExpressions[0].values', message: 'may not be specified when operator is Exists',
      fix: 'remove values, or use In to match particular values', source: { file: 'policy.yaml', line: SPEC_LINE + 4 },
    });
  });

  test('a requirement without a key or operator', () => {
    const { problems } = load(policyYaml('podSelector:\n  matchExpressions:\n  - values: [web]'));
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.podSelector.matchExpressions[0].key', 'is required'],
      ['spec.podSelector.matchExpressions[0].operator', 'is required'],
    ]);
  });

  test('an invalid label key in matchLabels points at the key', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchLabels:\n    app: web\n    "bad key": x'))).toEqual({
      object: OBJECT, field: 'spec.podSelector.matchLabels[bad key]',
      message: 'label key "bad key" must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character',
      fix: 'use a key like "app" or "example.com/team"', source: { file: 'policy.yaml', line: SPEC_LINE + 3 },
    });
  });

  test('a label key with an invalid prefix', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchLabels:\n    Example.COM/app: web'))).toMatchObject({
      field: 'spec.podSelector.matchLabels[Example.COM/app]', message: expect.stringMatching(/has a prefix "Example.COM"/),
    });
  });

  test('a label value too long', () => {
    expect(onlyProblem(policyYaml(`podSelector:\n  matchLabels:\n    app: ${'a'.repeat(64)}`))).toMatchObject({
      field: 'spec.podSelector.matchLabels[app]', message: expect.stringMatching(/must be no more than 63 characters/),
    });
  });

  test('a label value that is a number must be quoted', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchLabels:\n    version: 2'))).toMatchObject({
      field: 'spec.podSelector.matchLabels[version]', message: 'label value must be a string, not the number 2', fix: 'quote it: version: "2"',
    });
  });

  test('an invalid value in matchExpressions', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchExpressions:\n  - key: app\n    operator: In\n    values: [ok, "not ok"]'))).toMatchObject({
      field: 'spec.podSelector.matchExpressions[0].values[1]', message: expect.stringMatching(/label value "not ok"/),
    });
  });

  test('an unknown selector field suggests the one meant', () => {
    expect(onlyProblem(policyYaml('podSelector:\n  matchLabel:\n    app: web'))).toMatchObject({
      field: 'spec.podSelector.matchLabel', message: 'unknown field "matchLabel"', fix: 'did you mean "matchLabels"?',
    });
  });

  test('a selector written as a string', () => {
    expect(onlyProblem(policyYaml('podSelector: app=web'))).toMatchObject({
      field: 'spec.podSelector', message: 'must be an object, not the string "app=web"', source: { line: SPEC_LINE },
    });
  });

  test('selectors of peers are validated with their own paths', () => {
    expect(onlyProblem(policyYaml('podSelector: {}\ningress:\n- from:\n  - namespaceSelector:\n      matchExpressions:\n      - {key: team, operator: In}'))).toMatchObject({
      field: 'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values', message: 'must be specified when operator is In',
      source: { line: SPEC_LINE + 5 },
    });
  });
});
