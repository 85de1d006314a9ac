/**
 * The V8 heap settings the agent runs with (the image sets them as NODE_OPTIONS, and bench:agent measures the agent
 * with them). Node's defaults let the heap grow with the garbage a busy agent makes: in bench:agent's churn run the
 * RSS settled near 200 MB with them, and near 130 MB with these, for the same live data (about 70 MB for 10,000 pods
 * and 2,000 policies). A smaller young generation promotes less; a capped old generation is collected before it
 * grows. The cap is a crash, not a slowdown, when the live state outgrows it: nodes whose pods admit thousands of
 * peers each (bench:agent --dataset dense) need a larger one, set through NODE_OPTIONS on the DaemonSet.
 */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=128';
