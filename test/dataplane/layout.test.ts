/**
 * The user-space mirrors of bpf/include/netpol.h (lib/dataplane/layout.ts) against BTF: the size of every struct and
 * the offset of every field, read by bpftool from an object compiled from the header (and from bpf/build/netpol.bpf.o
 * when it has been built). Also checks that the encoders write where the layout says.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAYOUT, decodeEvent, encodeCidrKey, encodeHostKey, encodePod, encodePortSet } from '../../lib/dataplane';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILT = path.join(ROOT, 'bpf', 'build', 'netpol.bpf.o');

function toolsMissing(): string | undefined {
  for (const [tool, args] of [['clang', ['--version']], ['bpftool', ['version']]] as const) {
    try {
      execFileSync(tool, args, { stdio: 'pipe' });
    } catch {
      return `${tool} is not installed (bash .ci/setup installs it)`;
    }
  }
  return undefined;
}

interface BtfStruct {
  size: number;
  members: Map<string, number>;
}

/** Struct sizes and member byte offsets from an object's BTF, as bpftool prints them. */
function btfStructs(object: string): Map<string, BtfStruct> {
  const dump = JSON.parse(execFileSync('bpftool', ['btf', 'dump', 'file', object, 'format', 'raw', '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const out = new Map<string, BtfStruct>();
  for (const type of dump.types as Array<{ kind: string; name?: string; size?: number; members?: Array<{ name: string; bits_offset: number }> }>) {
    if (type.kind !== 'STRUCT' || !type.name?.startsWith('netpol_')) continue;
    out.set(type.name, { size: type.size!, members: new Map(type.members!.map((m) => [m.name, m.bits_offset / 8])) });
  }
  return out;
}

function expectLayoutMatches(structs: Map<string, BtfStruct>): void {
  for (const [name, layout] of Object.entries(LAYOUT)) {
    const btf = structs.get(name);
    expect({ name, present: btf !== undefined }).toEqual({ name, present: true });
    expect({ name, size: btf!.size }).toEqual({ name, size: layout.size });
    // Every field of the struct is mirrored (a new field in the header must be added here), at the same offset.
    expect({ name, fields: Object.fromEntries(btf!.members) }).toEqual({ name, fields: layout.fields });
  }
}

const missing = toolsMissing();
if (missing) process.stderr.write(`\n*** SKIPPING layout tests: ${missing} ***\n\n`);
(missing ? describe.skip : describe)('struct layouts against BTF', () => {
  let workDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enp-layout-'));
  });

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('every mirrored struct has the size and field offsets of bpf/include/netpol.h', () => {
    const out = path.join(workDir, 'layout.o');
    const arch = `/usr/include/${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', `-I${arch}`, `-I${path.join(ROOT, 'bpf', 'include')}`,
      '-c', path.join(__dirname, 'fixtures', 'layout-btf.bpf.c'), '-o', out], { stdio: 'pipe' });
    expectLayoutMatches(btfStructs(out));
  });

  const built = fs.existsSync(BUILT);
  if (!built) process.stderr.write(`\n*** bpf/build/netpol.bpf.o is not built (make -C bpf): checking the header only ***\n\n`);
  (built ? test : test.skip)('the built data-plane object has the same layouts', () => {
    const structs = btfStructs(BUILT);
    // The object carries only the structs its programs and maps use; each one it has must match.
    const present = new Map([...structs].filter(([name]) => name in LAYOUT));
    expect(present.size).toBeGreaterThanOrEqual(8);
    for (const [name, btf] of present) {
      expect({ name, size: btf.size, fields: Object.fromEntries(btf.members) }).toEqual({ name, size: LAYOUT[name].size, fields: LAYOUT[name].fields });
    }
  });

  test('encoders write each field at its offset, addresses in network order and IPv4 v4-mapped', () => {
    const pod = encodePod(2, 1, 0x01020304);
    expect([...pod]).toEqual([2, 1, 0, 0, 4, 3, 2, 1]);

    const host = encodeHostKey(9, 4, 0x0a000001n);
    expect(host.readUInt32LE(LAYOUT.netpol_host_key.fields.ifindex)).toBe(9);
    expect(host.subarray(4).toString('hex')).toBe('00000000000000000000ffff0a000001');

    const cidr = encodeCidrKey(9, 4, 0x0a000000n, 8);
    expect(cidr.readUInt32LE(LAYOUT.netpol_cidr_key.fields.prefixlen)).toBe(32 + 96 + 8);
    expect(encodeCidrKey(9, 6, 0xfd00n << 112n, 16).readUInt32LE(0)).toBe(32 + 16);
    expect(encodeCidrKey(9, 6, 0xfd00n << 112n, 16).subarray(8).toString('hex')).toBe('fd000000000000000000000000000000');

    const set = encodePortSet({ any: false, ranges: [{ protocol: 'UDP', first: 53, last: 53 }, { protocol: 'TCP', first: 80, last: 81 }] });
    const r = LAYOUT.netpol_port_set.fields.ranges;
    expect(set.length).toBe(264);
    expect([set[0], set[1]]).toEqual([0, 2]);
    expect([set.readUInt16LE(r), set.readUInt16LE(r + 2), set[r + 4]]).toEqual([80, 81, 6]);
    expect([set.readUInt16LE(r + 8), set.readUInt16LE(r + 10), set[r + 12]]).toEqual([53, 53, 17]);
    expect(encodePortSet({ any: true, ranges: [] })[0]).toBe(1);
  });

  test('a verdict event decodes from its offsets', () => {
    const raw = Buffer.alloc(64);
    raw.writeBigUInt64LE(123n, 0);
    raw.writeUInt32LE(5, 8);
    raw.set([1, 0, 7, 6], 12);
    raw.writeUInt16LE(40000, 16);
    raw.writeUInt16LE(443, 18);
    raw[20] = 4;
    raw.writeUInt32LE(0, 24);
    raw.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1], 32);
    raw.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2], 48);
    expect(decodeEvent(raw)).toEqual({
      timestampNs: 123n, ifindex: 5, direction: 'egress', verdict: 'drop', reason: 'no-peer', protocol: 6,
      sourcePort: 40000, destinationPort: 443, source: '10.0.0.1', destination: '10.0.0.2', portSet: 0,
    });
  });
});
