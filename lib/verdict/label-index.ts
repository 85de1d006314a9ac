import { formatSelector, selectorMatches } from '../model/selector';
import { IpBlock, LabelSelector, Labels } from '../model/types';
import { Bitset } from './bitset';
import { Endpoint } from './endpoint';
import { ipBlockContains } from './evaluate';

/**
 * Inverted indexes over a fixed list of endpoints, so that a selector costs a few bitset operations instead of
 * one label comparison per endpoint. Results are cached by the selector's text.
 */
export class EndpointIndex {
  /** Endpoints that are pods (only pods can be selected by label). */
  readonly pods: Bitset;
  /** Every endpoint: what a rule with no peers admits. */
  readonly all: Bitset;
  private readonly byLabel = new Map<string, Map<string, Bitset>>();
  private readonly byKey = new Map<string, Bitset>();
  private readonly byNamespace = new Map<string, Bitset>();
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly podSelectorCache = new Map<string, Bitset>();
  private readonly namespaceSelectorCache = new Map<string, Bitset>();
  private readonly ipBlockCache = new Map<string, Bitset>();
  /** Endpoints with an address: the only ones an ipBlock can match (workloads from manifests have none). */
  private readonly addressed: number[] = [];

  constructor(readonly endpoints: readonly Endpoint[]) {
    const size = endpoints.length;
    this.pods = new Bitset(size);
    this.all = Bitset.full(size);
    endpoints.forEach((endpoint, index) => {
      if (endpoint.addresses.length > 0) this.addressed.push(index);
      if (endpoint.kind !== 'pod') return;
      this.pods.add(index);
      const ns = endpoint.pod.namespace;
      this.namespaceLabels.set(ns, endpoint.namespaceLabels);
      getOrCreate(this.byNamespace, ns, () => new Bitset(size)).add(index);
      for (const [key, value] of Object.entries(endpoint.pod.labels)) {
        getOrCreate(this.byKey, key, () => new Bitset(size)).add(index);
        const values = getOrCreate(this.byLabel, key, () => new Map<string, Bitset>());
        getOrCreate(values, value, () => new Bitset(size)).add(index);
      }
    });
  }

  /** Pods of one namespace. */
  namespace(name: string): Bitset {
    return this.byNamespace.get(name) ?? new Bitset(this.endpoints.length);
  }

  /** Pods (of any namespace) whose labels match the selector. */
  podSelector(selector: LabelSelector): Bitset {
    const key = formatSelector(selector);
    return getOrCreate(this.podSelectorCache, key, () => this.evaluate(selector));
  }

  /** Pods in namespaces whose labels match the selector. */
  namespaceSelector(selector: LabelSelector): Bitset {
    const key = formatSelector(selector);
    return getOrCreate(this.namespaceSelectorCache, key, () => {
      const result = new Bitset(this.endpoints.length);
      for (const [name, labels] of this.namespaceLabels) {
        // Namespaces are few: the plain matcher is fast enough here.
        if (selectorMatches(selector, labels)) result.orInPlace(this.byNamespace.get(name)!);
      }
      return result;
    });
  }

  /** Endpoints with an address inside the block and outside its excepts. */
  ipBlock(block: IpBlock): Bitset {
    const key = `${block.cidr.text} except ${block.except.map((e) => e.text).join(',')}`;
    return getOrCreate(this.ipBlockCache, key, () => {
      const result = new Bitset(this.endpoints.length);
      for (const index of this.addressed) {
        if (ipBlockContains(block, this.endpoints[index].addresses)) result.add(index);
      }
      return result;
    });
  }

  private evaluate(selector: LabelSelector): Bitset {
    const result = this.pods.clone();
    const none = () => new Bitset(this.endpoints.length);
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      result.andInPlace(this.byLabel.get(key)?.get(value) ?? none());
    }
    for (const requirement of selector.matchExpressions ?? []) {
      const values = this.byLabel.get(requirement.key);
      const withValue = () => {
        const set = none();
        for (const v of requirement.values ?? []) {
          const bits = values?.get(v);
          if (bits) set.orInPlace(bits);
        }
        return set;
      };
      switch (requirement.operator) {
        case 'In': result.andInPlace(withValue()); break;
        case 'NotIn': result.andInPlace(complement(withValue(), this.pods)); break;
        case 'Exists': result.andInPlace(this.byKey.get(requirement.key) ?? none()); break;
        case 'DoesNotExist': result.andInPlace(complement(this.byKey.get(requirement.key) ?? none(), this.pods)); break;
      }
    }
    return result;
  }
}

/** `within` minus `set`. */
function complement(set: Bitset, within: Bitset): Bitset {
  const result = within.clone();
  for (let i = 0; i < result.words.length; i++) result.words[i] &= ~set.words[i];
  return result;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
