import { LabelSelector, Labels } from './types';

/**
 * Does `selector` select an object with `labels`? An empty selector selects everything; every matchLabels entry
 * and every matchExpressions requirement must hold (AND).
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case 'In':
        if (!present || !(requirement.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        // A missing label satisfies NotIn, as in Kubernetes.
        if (present && (requirement.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** True when the selector has no terms, so it selects everything. */
export function selectsEverything(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** A stable text form of a selector (`app=web,tier in (a,b)`), for messages and cache keys. */
export function formatSelector(selector: LabelSelector): string {
  const terms: string[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) terms.push(`${key}=${selector.matchLabels![key]}`);
  for (const r of selector.matchExpressions ?? []) {
    switch (r.operator) {
      case 'In': terms.push(`${r.key} in (${[...(r.values ?? [])].sort().join(',')})`); break;
      case 'NotIn': terms.push(`${r.key} notin (${[...(r.values ?? [])].sort().join(',')})`); break;
      case 'Exists': terms.push(r.key); break;
      case 'DoesNotExist': terms.push(`!${r.key}`); break;
    }
  }
  return terms.length === 0 ? '{}' : terms.join(',');
}
