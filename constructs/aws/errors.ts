/**
 * The error every construct in constructs/aws throws for invalid props: it names the construct path, the prop and the
 * fix, so `cdk synth` tells the user exactly what to change.
 */
export class ClusterConfigurationError extends Error {
  /**
   * @param path the construct path (`Stack/Cluster`)
   * @param prop the prop at fault (`networkPolicy.cloudWatchLogs`)
   * @param problem what is wrong
   * @param fix what to do instead
   */
  constructor(
    readonly path: string,
    readonly prop: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${prop}: ${problem}. Fix: ${fix}.`);
    this.name = 'ClusterConfigurationError';
  }
}
