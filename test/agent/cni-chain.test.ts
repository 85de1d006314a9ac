/**
 * The agent keeps eks-netpol-cni in the chain: when aws-node writes its conflist anew (as at each of its starts), the
 * entry is put back and the event says so; a lasting problem is logged once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CniChainKeeper } from '../../lib/agent/cni-chain';
import { EventLog } from '../../lib/agent/events';
import { AgentMetrics } from '../../lib/agent/metrics';

const AWS_CONFLIST = '{\n  "cniVersion": "1.0.0",\n  "name": "aws-cni",\n  "plugins": [\n    { "type": "aws-cni" }\n  ]\n}\n';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('keeping eks-netpol-cni in the chain', () => {
  let dir: string;
  let keeper: CniChainKeeper | undefined;
  let events: Record<string, unknown>[];
  let metrics: AgentMetrics;
  const conflist = () => path.join(dir, '10-aws.conflist');
  const chain = () => JSON.parse(fs.readFileSync(conflist(), 'utf8')).plugins.map((p: { type: string }) => p.type);
  const start = (intervalMs = 60_000) => {
    keeper = new CniChainKeeper({
      chain: { confDir: dir, mode: 'strict', agentSocket: '/run/eks-netpol/cni.sock' },
      log: new EventLog({ write: (line: string) => events.push(JSON.parse(line)) }),
      metrics,
      intervalMs,
    });
    keeper.start();
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-chain-'));
    events = [];
    metrics = new AgentMetrics({ processMetrics: false });
  });
  afterEach(() => {
    keeper?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a conflist rewritten without the plugin gets it back, and the event names the file', async () => {
    fs.writeFileSync(conflist(), AWS_CONFLIST);
    start();
    expect(chain()).toEqual(['aws-cni', 'eks-netpol-cni']);
    expect(events).toEqual([expect.objectContaining({ event: 'cni chained', conflist: conflist(), mode: 'strict' })]);
    // aws-node restarts: it writes its conflist anew (write a temporary file, rename it into place).
    fs.writeFileSync(path.join(dir, '.tmp-aws'), AWS_CONFLIST);
    fs.renameSync(path.join(dir, '.tmp-aws'), conflist());
    await until(() => chain().includes('eks-netpol-cni'));
    expect(events.filter((e) => e.event === 'cni chained')).toHaveLength(2);
  });

  test('an unchanged chain is not written again', async () => {
    fs.writeFileSync(conflist(), AWS_CONFLIST);
    start(50);
    const written = fs.statSync(conflist()).mtimeMs;
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.statSync(conflist()).mtimeMs).toBe(written);
    expect(events.filter((e) => e.event === 'cni chained')).toHaveLength(1);
  });

  test('no conflist yet: the error is logged once and counted, and the plugin is chained once aws-node writes one', async () => {
    start(50);
    await new Promise((r) => setTimeout(r, 300));
    const errors = events.filter((e) => e.event === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ stage: 'cni', confDir: dir, retryInMs: 50 });
    expect(String(errors[0].message)).toContain(`no network configuration (*.conflist) in ${dir}`);
    expect((await metrics.errors.get()).values.find((v) => v.labels.stage === 'cni')?.value).toBe(1);
    fs.writeFileSync(conflist(), AWS_CONFLIST);
    await until(() => chain().includes('eks-netpol-cni'));
  });
});
