import * as http from 'http';
import { FakeApiServer } from '../support/fake-apiserver';

/** Reads a watch stream until `count` events arrived or the server ended it. */
function watch(url: string, count: number): Promise<{ type: string; object: { metadata: { name?: string; resourceVersion?: string }; code?: number } }[]> {
  return new Promise((resolve, reject) => {
    const events: ReturnType<typeof JSON.parse>[] = [];
    const req = http.get(url, (res) => {
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
          if (events.length === count) {
            req.destroy();
            resolve(events);
          }
        }
      });
      res.on('end', () => resolve(events));
    });
    req.on('error', (e) => (events.length === count ? undefined : reject(e)));
  });
}

async function getJson(url: string): Promise<{ metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] }> {
  const response = await fetch(url);
  return response.json() as never;
}

describe('the fake Kubernetes API server used by the agent tests', () => {
  const api = new FakeApiServer();
  let base = '';
  beforeAll(async () => { base = await api.start(); });
  afterAll(() => api.stop());

  test('lists a collection with its resourceVersion, and a watch from it sees only later changes', async () => {
    api.apply('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } });
    const list = await getJson(`${base}/api/v1/pods`);
    expect(list.items.map((p) => p.metadata.name)).toEqual(['a']);
    const events = watch(`${base}/api/v1/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`, 3);
    await new Promise((r) => setTimeout(r, 50));
    api.apply('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'x' } });
    api.bookmark();
    api.delete('pods', 'x', 'a');
    const seen = await events;
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`.trim())).toEqual(['ADDED b', 'BOOKMARK', 'DELETED a']);
    expect(Number(seen[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(list.metadata.resourceVersion));
  });

  test('after compaction, watching from an old resourceVersion answers 410 Gone, so clients re-list', async () => {
    const before = (await getJson(`${base}/api/v1/pods`)).metadata.resourceVersion;
    api.compact();
    const [gone] = await watch(`${base}/api/v1/pods?watch=true&resourceVersion=${before}`, 1);
    expect(gone.type).toBe('ERROR');
    expect(gone.object.code).toBe(410);
  });

  test('merge-patches pod annotations and reports the change to watchers', async () => {
    api.apply('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'x', annotations: { keep: 'yes' } } });
    const response = await fetch(`${base}/api/v1/namespaces/x/pods/c`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { annotations: { 'eks-netpol.io/programmed': 'true' } } }),
    });
    expect(response.status).toBe(200);
    expect(api.get('pods', 'x', 'c')?.metadata.annotations).toEqual({ keep: 'yes', 'eks-netpol.io/programmed': 'true' });
  });
});
