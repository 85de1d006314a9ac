/**
 * The name rules of the Kubernetes API (apimachinery `validation`): DNS-1123 labels and subdomains, qualified
 * label keys, label values and IANA service names (named ports). Each check returns why a value is invalid, or
 * undefined when it is valid, so callers can put the reason into a problem.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME_MAX = 15;

/** A DNS-1123 label (namespace names): lowercase alphanumerics and '-', at most 63 characters. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > DNS1123_LABEL_MAX) return `must be no more than ${DNS1123_LABEL_MAX} characters`;
  if (!DNS1123_LABEL.test(value)) {
    return 'must consist of lowercase alphanumeric characters or \'-\', and must start and end with an alphanumeric character';
  }
  return undefined;
}

/** A DNS-1123 subdomain (most object names): dot-separated DNS-1123 labels, at most 253 characters. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > DNS1123_SUBDOMAIN_MAX) return `must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`;
  if (value === '' || !value.split('.').every((part) => DNS1123_LABEL.test(part))) {
    return 'must consist of lowercase alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character';
  }
  return undefined;
}

/** A lowercase, DNS-safe form of `value`, to suggest as a fix. */
export function suggestDnsName(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return cleaned === '' ? 'my-name' : cleaned;
}

/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix === '') return 'has an empty prefix before \'/\'';
    const prefixProblem = dns1123SubdomainProblem(prefix);
    if (prefixProblem) return `has a prefix "${prefix}" that ${prefixProblem}`;
  }
  if (name === '') return 'has an empty name';
  if (name.length > QUALIFIED_NAME_MAX) return `has a name part longer than ${QUALIFIED_NAME_MAX} characters`;
  if (!QUALIFIED_NAME.test(name)) {
    return 'must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
  }
  return undefined;
}

/** A label value: empty, or at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > LABEL_VALUE_MAX) return `must be no more than ${LABEL_VALUE_MAX} characters`;
  if (!QUALIFIED_NAME.test(value)) {
    return 'must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
  }
  return undefined;
}

/**
 * An IANA service name (a named port): at most 15 characters, lowercase alphanumerics and '-', at least one letter,
 * no '-' at either end and no '--'.
 */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > IANA_SVC_NAME_MAX) return `must be no more than ${IANA_SVC_NAME_MAX} characters`;
  if (!IANA_SVC_NAME.test(name)) {
    return 'must contain only lowercase alphanumeric characters and \'-\', and must start and end with an alphanumeric character';
  }
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  return undefined;
}
