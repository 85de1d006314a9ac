/**
 * The lab's enforcer: started by enforcement.ts inside the node namespace (where the pods' host-side veths are),
 * it reads an EnforcementJob as JSON on stdin and programs the data plane. Links and maps are pinned, so
 * enforcement outlives this process; the lab removes the pins and namespaces when it is done.
 */
import * as fs from 'fs';
import { EnforcementJob } from './enforcement';

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'), (_key, value) =>
    (value && typeof value === 'object' && typeof value.$bigint === 'string' ? BigInt(value.$bigint) : value)) as EnforcementJob;
  const dataplane = require('../dataplane');
  const options = { objectPath: job.objectPath, pinDir: job.pinDir, cluster: job.cluster, pods: job.pods, mode: job.mode };
  await (job.reprogram ? dataplane.reprogram(options) : dataplane.enforce(options));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
