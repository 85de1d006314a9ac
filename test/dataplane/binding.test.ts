/**
 * The native binding against the real kernel: objects, pins, single and batch map operations, iteration, the ring
 * buffer, attaching to a veth (TCX and tc) and the verifier's rejection. Runs as root; skips elsewhere, saying why.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BpfError, BpfMap, BpfObject, MapType, RingBufferReader, attach, detachPinnedLink } from '../../lib/dataplane';
import { VethLab, compileFixture, describeKernel, makePinDir, makeVethLab } from './kernel-env';

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

/** An Ethernet + IPv4 + UDP frame, enough for BPF_PROG_TEST_RUN of a tc program. */
function udpFrame(): Buffer {
  const frame = Buffer.alloc(14 + 20 + 8 + 4);
  frame.writeUInt16BE(0x0800, 12);
  frame.writeUInt8(0x45, 14);
  frame.writeUInt16BE(20 + 8 + 4, 16);
  frame.writeUInt8(64, 22);
  frame.writeUInt8(17, 23);
  frame.set([10, 0, 0, 1], 26);
  frame.set([10, 0, 0, 2], 30);
  frame.writeUInt16BE(1234, 34);
  frame.writeUInt16BE(53, 36);
  frame.writeUInt16BE(12, 38);
  return frame;
}

describeKernel('the native binding', () => {
  let workDir: string;
  let pinDir: string;
  let objectPath: string;
  let rejectPath: string;
  let object: BpfObject;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-binding-'));
    objectPath = compileFixture('binding-test.bpf.c', workDir);
    rejectPath = compileFixture('verifier-reject.bpf.c', workDir);
    pinDir = makePinDir();
    object = BpfObject.load(objectPath);
  });

  afterAll(() => {
    object?.close();
    if (pinDir) fs.rmSync(pinDir, { recursive: true, force: true });
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('an object loads with its maps and programs described', () => {
    expect([...object.maps.keys()].sort()).toEqual(['test_events', 'test_hash', 'test_lpm', 'test_state']);
    const hash = object.map('test_hash');
    expect([hash.type, hash.keySize, hash.valueSize]).toEqual([MapType.HASH, 4, 8]);
    expect(object.map('test_lpm').type).toBe(MapType.LPM_TRIE);
    const program = object.program('count_packets');
    expect(program.section).toBe('tc');
    expect(program.fd).toBeGreaterThan(0);
    expect(() => object.map('nope')).toThrow(/has no map "nope" \(it has: .*test_hash/);
  });

  test('single updates, lookups and deletes round-trip, and a missing key reads as undefined', () => {
    const hash = object.map('test_hash');
    hash.update(u32(7), u64(49));
    expect(hash.lookup(u32(7))).toEqual(u64(49));
    expect(hash.delete(u32(7))).toBe(true);
    expect(hash.delete(u32(7))).toBe(false);
    expect(hash.lookup(u32(7))).toBeUndefined();
    expect(() => hash.update(u32(1), u64(1), 'exist')).toThrow(BpfError);
  });

  test('a batch update writes every entry, iteration returns them all, and a batch delete removes them', () => {
    const hash = object.map('test_hash');
    const count = 5000;
    const keys = Buffer.alloc(4 * count);
    const values = Buffer.alloc(8 * count);
    for (let i = 0; i < count; i++) {
      keys.writeUInt32LE(i + 100, 4 * i);
      values.writeBigUInt64LE(BigInt(i * 3), 8 * i);
    }
    expect(hash.updateBatch({ keys, values, count })).toBe(count);
    expect(hash.lookup(u32(100 + 4321))).toEqual(u64(4321 * 3));

    const seen = new Map(hash.entries().map(([k, v]) => [k.readUInt32LE(0), Number(v.readBigUInt64LE(0))]));
    expect(seen.size).toBe(count);
    expect(seen.get(100 + 17)).toBe(51);

    expect(hash.deleteBatch(keys.subarray(0, 4 * 10), 10)).toBe(10);
    expect(hash.dump().count).toBe(count - 10);
    // Deleting keys that are already gone: an ENOENT error unless asked to skip them.
    expect(() => hash.deleteBatch(keys.subarray(0, 4 * 10), 10)).toThrow(/ENOENT/);
    expect(hash.deleteBatch(keys, count, { ignoreMissing: true })).toBe(count - 10);
    expect(hash.dump().count).toBe(0);
  });

  test('an LPM trie takes a batch and finds the longest prefix', () => {
    const lpm = object.map('test_lpm');
    const key = (length: number, a: number, b: number, c: number, d: number) => {
      const k = Buffer.alloc(8);
      k.writeUInt32LE(length, 0);
      k.set([a, b, c, d], 4);
      return k;
    };
    const keys = Buffer.concat([key(8, 10, 0, 0, 0), key(24, 10, 1, 2, 0)]);
    expect(lpm.updateBatch({ keys, values: Buffer.concat([u32(1), u32(2)]), count: 2 })).toBe(2);
    expect(lpm.lookup(key(32, 10, 1, 2, 3))).toEqual(u32(2));
    expect(lpm.lookup(key(32, 10, 9, 9, 9))).toEqual(u32(1));
    expect(lpm.lookup(key(32, 11, 0, 0, 1))).toBeUndefined();
    expect(lpm.entries()).toHaveLength(2);
    expect(lpm.deleteBatch(keys, 2)).toBe(2);
  });

  test('a pinned map opens again from its pin and shares its entries', () => {
    const hash = object.map('test_hash');
    const pin = path.join(pinDir, 'test_hash');
    hash.pin(pin);
    const reopened = BpfMap.openPinned(pin);
    try {
      expect(reopened.name).toBe('test_hash');
      reopened.update(u32(42), u64(4242));
      expect(hash.lookup(u32(42))).toEqual(u64(4242));
    } finally {
      reopened.close();
      hash.delete(u32(42));
    }
  });

  test('loading with a map pin directory reuses the pinned maps, so a reload keeps entries', () => {
    const mapDir = path.join(pinDir, 'reuse');
    fs.mkdirSync(mapDir);
    const first = BpfObject.load(objectPath, { mapPinDir: mapDir });
    first.map('test_hash').update(u32(9), u64(81));
    first.close();
    expect(fs.existsSync(path.join(mapDir, 'test_hash'))).toBe(true);
    const second = BpfObject.load(objectPath, { mapPinDir: mapDir });
    try {
      expect(second.map('test_hash').lookup(u32(9))).toEqual(u64(81));
    } finally {
      second.close();
    }
  });

  test('opening a pin that does not exist is a BpfError naming the path and errno', () => {
    const missing = path.join(pinDir, 'absent');
    let error: unknown;
    try {
      BpfMap.openPinned(missing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ errno: 2, code: 'ENOENT', op: 'bpf_obj_get', context: missing });
  });

  test('keys and values of the wrong size are refused before the kernel sees them', () => {
    expect(() => object.map('test_hash').update(Buffer.alloc(3), u64(1))).toThrow(/key is 3 bytes, expected 4/);
  });

  test('the ring buffer delivers what the program submits, by polling and by callback', async () => {
    const state = object.map('test_state');
    state.update(u32(1), u64(0));
    const program = object.program('count_packets');
    const reader = RingBufferReader.open(object.map('test_events'));
    try {
      expect(program.testRun(udpFrame()).retval).toBe(0);
      const records = reader.poll(100);
      expect(records).toHaveLength(1);
      expect(records[0].readBigUInt64LE(8)).toBe(BigInt(udpFrame().length));
    } finally {
      reader.close();
    }

    const received: Buffer[] = [];
    let wake: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => { wake = resolve; });
    const live = RingBufferReader.open(object.map('test_events'), (batch) => {
      received.push(...batch);
      if (received.length >= 3) wake();
    });
    try {
      for (let i = 0; i < 3; i++) program.testRun(udpFrame());
      await arrived;
      const counts = received.map((r) => Number(r.readBigUInt64LE(0)));
      expect(counts[1] - counts[0]).toBe(1);
      expect(counts[2] - counts[1]).toBe(1);
    } finally {
      live.close();
    }
  });

  test('the drop switch turns the program verdict to TC_ACT_SHOT in a test run', () => {
    const state = object.map('test_state');
    state.update(u32(1), u64(1));
    expect(object.program('count_packets').testRun(udpFrame()).retval).toBe(2);
    state.update(u32(1), u64(0));
  });

  test('a program the verifier rejects throws a BpfError carrying the verifier log and the program name', () => {
    let error: BpfError | undefined;
    try {
      BpfObject.load(rejectPath);
    } catch (e) {
      error = e as BpfError;
    }
    expect(error).toBeInstanceOf(BpfError);
    expect(error!.op).toBe('bpf_object__load');
    expect(error!.program).toBe('unchecked_lookup');
    expect(error!.message).toMatch(/verifier rejected program unchecked_lookup/);
    expect(error!.verifierLog).toMatch(/invalid mem access 'map_value_or_null'/);
  });

  describe('attached to a veth', () => {
    let lab: VethLab;
    let server: net.Server;
    let port: number;

    beforeAll(async () => {
      lab = makeVethLab();
      // The kernel completes the handshake from the listen backlog, so a blocked test process still "answers".
      server = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, lab.hostIp, resolve));
      port = (server.address() as net.AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      lab?.remove();
    });

    /** A TCP connection from the namespace to the host side within 3 s (no ping on minimal machines: bash's /dev/tcp). */
    const ping = () => lab.run(['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${lab.hostIp}/${port}`]);
    const seen = () => Number(object.map('test_state').lookup(u32(0))!.readBigUInt64LE(0));

    for (const mode of ['tcx', 'tc'] as const) {
      test(`a ${mode} attachment sees the namespace's packets, enforces a drop, and detaching restores traffic`, () => {
        const state = object.map('test_state');
        state.update(u32(1), u64(0));
        expect(ping()).toBe(true);
        const attachment = attach(object.program('count_packets'), lab.host, 'ingress', { mode });
        try {
          expect(attachment.mode).toBe(mode);
          const before = seen();
          expect(ping()).toBe(true);
          expect(seen()).toBeGreaterThan(before);
          state.update(u32(1), u64(1));
          expect(ping()).toBe(false);
        } finally {
          attachment.detach();
          state.update(u32(1), u64(0));
        }
        const after = seen();
        expect(ping()).toBe(true);
        expect(seen()).toBe(after);
      });
    }

    test('a pinned TCX link outlives its fd, and detachPinnedLink removes it', () => {
      const state = object.map('test_state');
      state.update(u32(1), u64(1));
      const pin = path.join(pinDir, 'link-ingress');
      const attachment = attach(object.program('count_packets'), lab.host, 'ingress', { mode: 'tcx' });
      attachment.pin(pin);
      // Closing our fd leaves the pin holding the link: traffic is still dropped.
      require('../../lib/dataplane/native').nativeBinding().closeFd(attachment.linkFd);
      try {
        expect(ping()).toBe(false);
      } finally {
        detachPinnedLink(pin);
        state.update(u32(1), u64(0));
      }
      expect(fs.existsSync(pin)).toBe(false);
      expect(ping()).toBe(true);
    });

    test('attaching to an interface that does not exist names it in the error', () => {
      expect(() => attach(object.program('count_packets'), 'enp-absent0', 'ingress')).toThrow(/if_nametoindex failed on interface enp-absent0/);
    });
  });
});
