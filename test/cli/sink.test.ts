import { EventEmitter } from 'events';
import { Sink } from '../../lib/cli/format/sink';

/** A stream that refuses more after each write until the test lets it drain. */
class SlowStream extends EventEmitter {
  readonly writes: string[] = [];
  write(text: string): boolean {
    this.writes.push(text);
    return false;
  }
}

describe('Sink', () => {
  test('gathers small pieces into one write', async () => {
    const writes: string[] = [];
    const sink = new Sink({ write: (t: string) => writes.push(t) });
    for (let i = 0; i < 100; i++) expect(sink.push(`line ${i}\n`)).toBe(false);
    await sink.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0].split('\n')).toHaveLength(101);
  });

  test('asks for a flush once a chunk is full', () => {
    const sink = new Sink({ write: () => true });
    expect(sink.push('x'.repeat(70_000))).toBe(true);
  });

  test('waits for drain when the stream pushes back', async () => {
    const stream = new SlowStream();
    const sink = new Sink(stream);
    sink.push('a');
    let done = false;
    const flushed = sink.flush().then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    stream.emit('drain');
    await flushed;
    expect(done).toBe(true);
    expect(stream.writes).toEqual(['a']);
  });

  test('closes when the reader goes away, releasing a pending flush and dropping later writes', async () => {
    const stream = new SlowStream();
    const sink = new Sink(stream);
    sink.push('a');
    const flushed = sink.flush();
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await flushed;
    expect(sink.closed).toBe(true);
    sink.push('b');
    await sink.flush();
    expect(stream.writes).toEqual(['a']);
  });
});
