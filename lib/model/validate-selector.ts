/**
 * Validation of labels and label selectors, as the API server validates them (metav1 validation): label keys and
 * values, matchLabels, and matchExpressions with the four operators.
 */
import { LabelSelector, LabelSelectorRequirement, Labels } from './types';
import { at, ObjectScope, Path } from './validate-context';
import { checkKnownFields, isObject, JsonObject, optionalList, optionalObject, quoteFix, scalarText, typeName } from './validate-fields';
import { labelKeyProblem, labelValueProblem } from './validate-names';

const OPERATORS: readonly LabelSelectorRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'];

/**
 * Validates a `labels` map (or `matchLabels`): string keys and values, each valid. Numbers and booleans are
 * reported, not converted: the API server rejects `app: 1` too, and the fix is to quote it.
 */
export function validateLabels(scope: ObjectScope, raw: unknown, path: Path): Labels {
  const map = optionalObject(scope, raw, path, '{ app: web }');
  if (!map) return {};
  const labels: Record<string, string> = {};
  for (const key in map) {
    if (!Object.prototype.hasOwnProperty.call(map, key)) continue;
    const value = map[key];
    // The path of a label is only built for a problem: labels are the most numerous fields of an input.
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) scope.report(at(path, { key }), `label key "${key}" ${keyProblem}`, 'use a key like "app" or "example.com/team"');
    if (typeof value !== 'string') {
      scope.report(at(path, { key }), `label value must be a string, not ${typeName(value)}`, value === null ? `write ${key}: ""` : quoteFix(value, `${key}: `));
      continue;
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) scope.report(at(path, { key }), `label value "${value}" ${valueProblem}`, 'use a value like "web" or "v1.2"');
    if (!keyProblem) labels[key] = value;
  }
  return labels;
}

/**
 * Validates a label selector. `{}` is valid and selects everything; an absent selector is the caller's business
 * (returns undefined).
 */
export function validateLabelSelector(scope: ObjectScope, raw: unknown, path: Path): LabelSelector | undefined {
  const selector = optionalObject(scope, raw, path, '{ matchLabels: { app: web } }');
  if (!selector) return undefined;
  checkKnownFields(scope, selector, SELECTOR_FIELDS, path);
  const result: { matchLabels?: Labels; matchExpressions?: LabelSelectorRequirement[] } = {};
  if (selector.matchLabels !== undefined && selector.matchLabels !== null) {
    result.matchLabels = validateLabels(scope, selector.matchLabels, at(path, 'matchLabels'));
  }
  const expressions = optionalList(scope, selector.matchExpressions, at(path, 'matchExpressions'));
  if (expressions) {
    result.matchExpressions = [];
    expressions.forEach((item, index) => {
      const requirement = validateRequirement(scope, item, at(path, 'matchExpressions', index));
      if (requirement) result.matchExpressions!.push(requirement);
    });
  }
  return result;
}

function validateRequirement(scope: ObjectScope, raw: unknown, path: Path): LabelSelectorRequirement | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { key: app, operator: In, values: [web] }');
    return undefined;
  }
  checkKnownFields(scope, raw, REQUIREMENT_FIELDS, path);
  const key = requirementKey(scope, raw, path);
  const operator = requirementOperator(scope, raw, path);
  const values = requirementValues(scope, raw, path);
  if (key === undefined || operator === undefined || values === null) return undefined;
  if ((operator === 'In' || operator === 'NotIn') && (values === undefined || values.length === 0)) {
    scope.report(at(path, 'values'), `must be specified when operator is ${operator}`,
      `list at least one value (values: [web]), or use ${operator === 'In' ? 'Exists' : 'DoesNotExist'} for "any value"`);
    return undefined;
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values !== undefined && values.length > 0) {
    scope.report(at(path, 'values'), `may not be specified when operator is ${operator}`,
      `remove values, or use ${operator === 'Exists' ? 'In' : 'NotIn'} to match particular values`);
    return undefined;
  }
  return operator === 'In' || operator === 'NotIn' ? { key, operator, values } : { key, operator };
}

function requirementKey(scope: ObjectScope, raw: JsonObject, path: Path): string | undefined {
  if (raw.key === undefined || raw.key === null || raw.key === '') {
    scope.report(at(path, 'key'), 'is required', 'name the label the requirement tests, like key: app');
    return undefined;
  }
  if (typeof raw.key !== 'string') {
    scope.report(at(path, 'key'), `must be a string, not ${typeName(raw.key)}`, quoteFix(raw.key, 'key: '));
    return undefined;
  }
  const problem = labelKeyProblem(raw.key);
  if (problem) {
    scope.report(at(path, 'key'), `label key "${raw.key}" ${problem}`, 'use a key like "app" or "example.com/team"');
    return undefined;
  }
  return raw.key;
}

function requirementOperator(scope: ObjectScope, raw: JsonObject, path: Path): LabelSelectorRequirement['operator'] | undefined {
  const operator = raw.operator;
  if (OPERATORS.includes(operator as LabelSelectorRequirement['operator'])) return operator as LabelSelectorRequirement['operator'];
  if (operator === undefined || operator === null) {
    scope.report(at(path, 'operator'), 'is required', `use one of ${OPERATORS.join(', ')}`);
    return undefined;
  }
  const text = scalarText(operator);
  const sameLetters = OPERATORS.find((op) => op.toLowerCase() === text.toLowerCase().replace(/[^a-z]/g, ''));
  scope.report(at(path, 'operator'), `unsupported operator "${text}"`,
    sameLetters ? `write "${sameLetters}" (operators are case-sensitive)` : `use one of ${OPERATORS.join(', ')}`);
  return undefined;
}

/** The values: undefined when absent, null when malformed (already reported). */
function requirementValues(scope: ObjectScope, raw: JsonObject, path: Path): string[] | undefined | null {
  const list = optionalList(scope, raw.values, at(path, 'values'));
  if (raw.values !== undefined && raw.values !== null && !list) return null;
  if (!list) return undefined;
  let ok = true;
  const values: string[] = [];
  list.forEach((value, index) => {
    if (typeof value !== 'string') {
      scope.report(at(path, 'values', index), `must be a string, not ${typeName(value)}`, quoteFix(value));
      ok = false;
      return;
    }
    const problem = labelValueProblem(value);
    if (problem) {
      scope.report(at(path, 'values', index), `label value "${value}" ${problem}`, 'use a value like "web" or "v1.2"');
      ok = false;
      return;
    }
    values.push(value);
  });
  return ok ? values : null;
}
