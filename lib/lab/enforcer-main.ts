/**
 * The lab's enforcer: started by enforcement.ts inside the node namespace (where the pods' host-side veths are),
 * it lives for the whole lab session, reads one EnforcementJob a line (JSON) on stdin, programs the data plane and
 * answers each with one line: `ok` or `error <message>`. Links and maps are pinned, so enforcement outlives it; the
 * lab removes the pins and namespaces when it is done.
 */
import * as readline from 'readline';
import { EnforcementJob, reviveJob } from './enforcement';

const dataplane = require('../dataplane');

/** The session's NodeDataplane, for incremental jobs. */
let node: import('../dataplane').NodeDataplane | undefined;

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  try {
    const job: EnforcementJob = reviveJob(line);
    const options = { objectPath: job.objectPath, pinDir: job.pinDir, cluster: job.cluster, pods: job.pods, mode: job.mode, nodeAddresses: job.nodeAddresses };
    if (job.incremental) {
      node ??= dataplane.NodeDataplane.open({ objectPath: job.objectPath, pinDir: job.pinDir, mode: job.mode });
      node!.sync(job.cluster, job.pods, [], { addresses: job.nodeAddresses });
    } else {
      await (job.reprogram ? dataplane.reprogram(options) : dataplane.enforce(options));
    }
    process.stdout.write('ok\n');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`error ${message.replace(/\n/g, ' | ')}\n`);
  }
});
