import { parseYamlDocuments } from '../../lib/manifests/yaml-lines';

const TEXT = [
  '# leading comment',          // 1
  'apiVersion: v1',             // 2
  'metadata:',                  // 3
  '  labels: {a: b,',           // 4
  '    c: d}',                  // 5
  'spec:',                      // 6
  '  list:',                    // 7
  '  - a: 1',                   // 8
  '    b:',                     // 9
  '  -   scalar',               // 10
  '  nested:',                  // 11
  '    deep: [1,',              // 12
  '      2]',                   // 13
  '---',                        // 14
  'items:',                     // 15
  '- kind: A',                  // 16
  '- kind: B',                  // 17
  '  spec:',                    // 18
  '    x: 1',                   // 19
  '',
].join('\n');

describe('line tracking', () => {
  const parsed = parseYamlDocuments(TEXT, 'f.yaml');
  const [first, second] = parsed.documents;

  test('documents start at their first content line', () => {
    expect(parsed.documents.map((d) => d.line)).toEqual([2, 15]);
    expect(parsed.errors).toEqual([]);
  });

  test.each([
    [['apiVersion'], 2],
    [['metadata', 'labels'], 4],
    [['metadata', 'labels', { key: 'c' }], 5],
    [['spec', 'list', 0], 8],
    [['spec', 'list', 0, 'b'], 9],
    [['spec', 'list', 1], 10],
    [['spec', 'nested', 'deep', 1], 13],
  ])('the field %j of the first document is on line %d', (path, line) => {
    expect(parsed.locator(first)(path)).toBe(line);
  });

  test('fields that do not exist have no line', () => {
    expect(parsed.locator(first)(['spec', 'missing'])).toBeUndefined();
    expect(parsed.locator(first)(['spec', 'list', 5])).toBeUndefined();
  });

  test('List items have their own first lines and field lines, counted from the whole text', () => {
    const items = (second.value as { items: unknown[] }).items;
    expect(items.map((item) => parsed.startOf(item))).toEqual([16, 17]);
    expect(parsed.locator(second, 1)(['spec', 'x'])).toBe(19);
  });

  test('JSON keeps lines too', () => {
    const json = parseYamlDocuments('{\n  "a": {\n    "b": [\n      1,\n      2\n    ]\n  }\n}\n', 'f.json');
    expect(json.locator(json.documents[0])(['a', 'b', 1])).toBe(5);
  });

  test('after a syntax error, parsing resumes at the next document', () => {
    const broken = parseYamlDocuments('a: 1\n---\nb: [\n---\nc: 3\n', 'f.yaml');
    expect(broken.documents.map((d) => [d.value, d.line])).toEqual([[{ a: 1 }, 1], [{ c: 3 }, 5]]);
    expect(broken.errors).toEqual([expect.objectContaining({ document: 2 })]);
    expect(broken.locator(broken.documents[1])(['c'])).toBe(5);
  });

  test('anchors and aliases keep the lines of the anchored node', () => {
    const anchored = parseYamlDocuments('base: &b\n  x: 1\nuse: *b\n', 'f.yaml');
    expect(anchored.locator(anchored.documents[0])(['use', 'x'])).toBe(2);
  });

  test('dates stay strings, as Kubernetes reads them, and merge keys merge', () => {
    const parsed = parseYamlDocuments('a: 2024-01-01\nbase: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n', 'f.yaml');
    expect(parsed.documents[0].value).toEqual({ a: '2024-01-01', base: { x: 1 }, c: { x: 1, y: 2 } });
  });

  test('Windows line endings, directives and document end markers keep lines right', () => {
    const crlf = parseYamlDocuments('%YAML 1.2\r\n---\r\na: 1\r\n...\r\n---\r\nb:\r\n  c: 2\r\n', 'f.yaml');
    expect(crlf.errors).toEqual([]);
    expect(crlf.documents.map((d) => [d.value, d.line])).toEqual([[{ a: 1 }, 3], [{ b: { c: 2 } }, 6]]);
    expect(crlf.locator(crlf.documents[1])(['b', 'c'])).toBe(7);
  });

  test('items of a JSON List have their own first lines', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'A' }, { kind: 'B', spec: { x: 1 } }] }, null, 2);
    const json = parseYamlDocuments(text, 'list.json');
    const items = (json.documents[0].value as { items: unknown[] }).items;
    expect(items.map((item) => json.startOf(item))).toEqual([5, 8]);
    expect(json.locator(json.documents[0], 1)(['spec', 'x'])).toBe(11);
  });
});
