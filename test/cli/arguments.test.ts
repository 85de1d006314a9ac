import { UsageError } from '../../lib/cli/io';
import { parsePortArgument } from '../../lib/cli/ports';
import { parseReachArguments } from '../../lib/cli/commands/reach';
import { parseProbeArgs, resolveEndpoints } from '../../lib/cli/probe-args';
import { editDistance, suggest } from '../../lib/cli/suggest';

describe('parsePortArgument', () => {
  test.each([
    ['80', { port: 80 }],
    ['65535', { port: 65535 }],
    ['53/UDP', { port: 53, protocol: 'UDP' }],
    ['53/udp', { port: 53, protocol: 'UDP' }],
    ['3868/sctp', { port: 3868, protocol: 'SCTP' }],
    ['http', { port: 'http' }],
    ['dns-tcp/TCP', { port: 'dns-tcp', protocol: 'TCP' }],
  ])('reads %s', (text, expected) => {
    expect(parsePortArgument(text)).toEqual(expected);
  });

  test.each([
    ['0', 'outside 1-65535'],
    ['65536', 'outside 1-65535'],
    ['80/', 'unknown protocol ""'],
    ['80/ICMP', 'unknown protocol "ICMP"'],
    ['HTTP', 'neither a port number nor a container-port name'],
    ['a-very-long-port-name', 'neither a port number nor a container-port name'],
    ['-http', 'neither a port number nor a container-port name'],
    ['123-456', 'neither a port number nor a container-port name'],
  ])('rejects %s with a usage error that says how to fix it', (text, message) => {
    expect(() => parsePortArgument(text)).toThrow(UsageError);
    expect(() => parsePortArgument(text)).toThrow(message);
  });
});

describe('parseReachArguments', () => {
  test('defaults to the table, the default namespace and every endpoint', () => {
    expect(parseReachArguments(['k8s/'])).toEqual({
      paths: ['k8s/'], query: { from: undefined, to: undefined, ports: undefined },
      namespace: 'default', output: 'table', explain: false, help: false, extra: {},
    });
  });

  test('collects repeated --from, --to and --port in order', () => {
    const args = parseReachArguments(['a.yaml', '--from', 'x/a', '--from', '10.0.0.1', '--to=y/b', '--port', '80', '--port', 'dns/UDP', 'b.yaml']);
    expect(args.paths).toEqual(['a.yaml', 'b.yaml']);
    expect(args.query.from).toEqual(['x/a', '10.0.0.1']);
    expect(args.query.to).toEqual(['y/b']);
    expect(args.query.ports).toEqual([{ port: 80 }, { port: 'dns', protocol: 'UDP' }]);
  });

  test('accepts --help without a path', () => {
    expect(parseReachArguments(['--help']).help).toBe(true);
  });

  test('lets a command add options of its own and limit its formats', () => {
    const args = parseProbeArgs(['a.yaml', '--timeout', '5', '-o', 'json'], {
      outputs: ['table', 'json'],
      extraOptions: { timeout: { type: 'string' } },
    });
    expect(args.output).toBe('json');
    expect(args.extra).toEqual({ timeout: '5' });
    expect(() => parseProbeArgs(['a.yaml', '-o', 'matrix'], { outputs: ['table', 'json'] })).toThrow('Use one of: table, json.');
  });

  test('rejects an option without its value', () => {
    expect(() => parseReachArguments(['a.yaml', '--from'])).toThrow(UsageError);
  });
});

describe('suggest', () => {
  test('measures edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('shop/wbe', 'shop/web')).toBe(1);
  });

  test('offers the same name in another namespace before near misses', () => {
    expect(suggest('default/api', ['shop/api', 'default/apx', 'shop/web'])).toEqual(['shop/api']);
  });

  test('offers only the nearest names, ties in order', () => {
    expect(suggest('x/ab', ['x/abd', 'x/abc', 'x/abcd'])).toEqual(['x/abc', 'x/abd']);
  });

  test('offers nothing when every name is far away', () => {
    expect(suggest('x/a', ['payments/ledger', 'identity/session'])).toEqual([]);
  });
});

describe('resolveEndpoints', () => {
  const pods = ['shop/api', 'shop/web'];

  test('keeps pod ids and IP addresses and reads a bare name in the namespace', () => {
    expect(resolveEndpoints('--from', ['shop/api', 'web', '10.1.2.3', 'fd00::1'], 'shop', pods)).toEqual({
      ids: ['shop/api', 'shop/web', '10.1.2.3', 'fd00::1'], problems: [],
    });
  });

  test('reports every unknown value, not only the first', () => {
    const { problems } = resolveEndpoints('--to', ['shop/apj', 'nope/x', '10.0.0.0/8'], 'default', pods);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('Did you mean "shop/api"?');
  });
});
