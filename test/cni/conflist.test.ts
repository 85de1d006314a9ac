/**
 * Adding eks-netpol-cni to a conflist's chain and taking it out again keep every other byte of the file.
 */
import { ConflistError, addToChain, chainHas, removeFromChain } from '../../lib/cni/conflist';

/** The shape of the VPC CNI's 10-aws.conflist (nested objects and arrays, a long chain). */
const AWS_CONFLIST = `{
  "cniVersion": "1.0.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni",
      "mtu": "9001",
      "podSGEnforcingMode": "strict",
      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "capabilities": {"io.kubernetes.cri.pod-annotations": true}
    },
    {
      "name": "egress-cni",
      "type": "egress-cni",
      "mtu": "9001",
      "enabled": "false",
      "randomizeSNAT": "prng",
      "nodeIP": "",
      "ipam": {
         "type": "host-local",
         "ranges": [[{"subnet": "169.254.172.0/22"}]],
         "routes": [{"dst": "0.0.0.0/0"}],
         "dataDir": "/run/cni/v6pd/egress-v4-ipam"
      },
      "pluginLogFile": "/var/log/aws-routed-eni/egress-v6-plugin.log"
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true},
      "snat": true
    }
  ]
}
`;

const ENTRY = { type: 'eks-netpol-cni', mode: 'strict', agentSocket: '/run/eks-netpol/cni.sock', timeoutMs: 10000 };

describe('conflist chain edits', () => {
  test('appends the entry after the last plugin, with its indentation, and changes nothing else', () => {
    const { text, changed } = addToChain(AWS_CONFLIST, ENTRY);
    expect(changed).toBe(true);
    const expected = AWS_CONFLIST.replace('      "snat": true\n    }\n  ]', `      "snat": true\n    },\n    ${JSON.stringify(ENTRY)}\n  ]`);
    expect(text).toBe(expected);
    expect(JSON.parse(text).plugins.map((p: { type: string }) => p.type)).toEqual(['aws-cni', 'egress-cni', 'portmap', 'eks-netpol-cni']);
  });

  test('adding twice changes nothing the second time', () => {
    const once = addToChain(AWS_CONFLIST, ENTRY).text;
    expect(addToChain(once, ENTRY)).toEqual({ text: once, changed: false });
  });

  test('a changed entry (another mode) replaces the old one in place', () => {
    const standard = addToChain(AWS_CONFLIST, { ...ENTRY, mode: 'standard' }).text;
    const strict = addToChain(standard, ENTRY);
    expect(strict.changed).toBe(true);
    expect(strict.text).toBe(addToChain(AWS_CONFLIST, ENTRY).text);
  });

  test('removing gives back the original file byte for byte', () => {
    const added = addToChain(AWS_CONFLIST, ENTRY).text;
    expect(removeFromChain(added, 'eks-netpol-cni')).toEqual({ text: AWS_CONFLIST, changed: true });
    expect(removeFromChain(AWS_CONFLIST, 'eks-netpol-cni')).toEqual({ text: AWS_CONFLIST, changed: false });
  });

  test.each([
    ['one line', '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"ptp"}]}'],
    ['two plugins on one line', '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"ptp"}, {"type":"portmap"}]}'],
    ['an empty chain', '{"cniVersion":"1.0.0","name":"n","plugins":[]}'],
    ['plugins before other keys, with escapes in strings', '{\n\t"plugins": [\n\t\t{"type": "ptp", "note": "a \\"]\\" and a \\\\"}\n\t],\n\t"name": "n"\n}\n'],
  ])('round-trips a conflist written as %s', (_name, original) => {
    const added = addToChain(original, ENTRY).text;
    expect(JSON.parse(added).plugins.at(-1)).toEqual(ENTRY);
    expect(chainHas(added, 'eks-netpol-cni')).toBe(true);
    expect(removeFromChain(added, 'eks-netpol-cni').text).toBe(original);
  });

  test('an entry placed first in the chain is removed with the separator after it', () => {
    const original = '{"plugins": [{"type":"eks-netpol-cni"}, {"type":"ptp"}]}';
    expect(removeFromChain(original, 'eks-netpol-cni').text).toBe('{"plugins": [{"type":"ptp"}]}');
  });

  test('a duplicated entry is collapsed into one', () => {
    const original = '{"plugins": [{"type":"ptp"}, {"type":"eks-netpol-cni"}, {"type":"eks-netpol-cni","mode":"strict"}]}';
    expect(addToChain(original, ENTRY).text).toBe(`{"plugins": [{"type":"ptp"}, ${JSON.stringify(ENTRY)}]}`);
  });

  test('a file that is not JSON, or has no plugins array, is refused with the reason', () => {
    expect(() => addToChain('{"plugins": [', ENTRY)).toThrow(ConflistError);
    expect(() => addToChain('{"plugins": [', ENTRY)).toThrow(/it is not JSON \(/);
    expect(() => addToChain('{"cniVersion":"1.0.0","type":"ptp"}', ENTRY)).toThrow('it has no "plugins" array (a single-plugin .conf cannot chain another plugin)');
  });
});
