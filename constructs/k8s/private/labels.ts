/** Name and label syntax the API server enforces, checked at construction so mistakes name the prop. */

// DNS-1123 label: Services (and so our apps) and namespaces are named this way.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A label value: up to 63 characters, alphanumerics with -, _ and . inside.
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
// A label key: optional DNS subdomain prefix and a name part like a value (not empty).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDnsLabel(name: string): boolean {
  return DNS_LABEL.test(name);
}

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

/** The first problem with a set of labels, or undefined. */
export function labelsProblem(labels: Readonly<Record<string, string>>): { problem: string; fix: string } | undefined {
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) {
      return { problem: `"${key}" is not a valid label key.`, fix: 'use an optional DNS prefix and a name of up to 63 letters, digits, "-", "_" and ".", like "app.kubernetes.io/component".' };
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      return { problem: `the value "${value}" of label "${key}" is not a valid label value.`, fix: 'use up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit.' };
    }
  }
  return undefined;
}

/** The standard labels every app and policy of ours carries (kubernetes.io recommended labels). */
export const NAME_LABEL = 'app.kubernetes.io/name';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'eks-netpol';
