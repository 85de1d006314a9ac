/**
 * The programmatic entry to reachability from manifests on disk: load, validate, probe. What `eks-netpol reach`
 * does, as functions.
 */
import { LoadOptions, loadManifests } from '../manifests';
import { InvalidInputError } from '../model/problems';
import { ProbeQuery, ProbeResult, Reachability } from './reachability';

/**
 * Reads manifests (YAML or JSON files, directories recursively, `-` for standard input) and returns a
 * `Reachability` over them. Throws `InvalidInputError` carrying every problem found (each with file and line).
 *
 * @param options as `loadManifests`: the namespace of objects that declare none, how to read `-`
 *
 * ```ts
 * const reach = loadReachability(['k8s/']);
 * reach.check('shop/web', 'shop/api', 'http').allowed;
 * ```
 */
export function loadReachability(inputs: readonly string[], options: LoadOptions = {}): Reachability {
  const { cluster, problems } = loadManifests(inputs, options);
  if (problems.length > 0) throw new InvalidInputError(problems);
  return new Reachability(cluster);
}

/**
 * Loads manifests and probes them: `reach(['k8s/'], { to: ['shop/db'] }).summary`. Throws `InvalidInputError` for
 * invalid manifests and `UnknownEndpointError` for a `from`/`to`/port that names nothing in them.
 *
 * @param query which probes to make; by default every ordered pair of pod identities on every declared port
 */
export function reach(inputs: readonly string[], query: ProbeQuery = {}, options: LoadOptions = {}): ProbeResult {
  return loadReachability(inputs, options).probe(query);
}
