import { Bitset } from '../../lib/verdict/bitset';
import { transpose32, transposeBits } from '../../lib/verdict/transpose';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

describe('transpose32', () => {
  test('moves bit j of word i to bit i of word j', () => {
    const random = seeded(7);
    const block = new Uint32Array(32).map(() => random());
    const original = block.slice();
    transpose32(block);
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 32; j++) {
        expect((block[j] >>> i) & 1).toBe((original[i] >>> j) & 1);
      }
    }
  });
});

describe('transposeBits', () => {
  test.each([1, 31, 32, 33, 100])('transposes a square matrix of side %i bit for bit', (size) => {
    const words = (size + 31) >>> 5;
    const random = seeded(size);
    const rows = new Uint32Array(size * words);
    const expected = new Set<string>();
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (random() % 3 === 0) {
          rows[r * words + (c >>> 5)] |= 1 << (c & 31);
          expected.add(`${c},${r}`);
        }
      }
    }
    const columns = new Uint32Array(size * words);
    transposeBits(rows, columns, size, words);
    for (let c = 0; c < size; c++) {
      for (let r = 0; r < size; r++) {
        const set = ((columns[c * words + (r >>> 5)] >>> (r & 31)) & 1) === 1;
        expect(set).toBe(expected.has(`${c},${r}`));
      }
    }
  });
});

describe('Bitset', () => {
  test('full sets exactly `size` bits, so counts and complements stay exact', () => {
    expect(Bitset.full(33).count()).toBe(33);
    expect(Bitset.full(64).count()).toBe(64);
  });

  test('forEach visits members in ascending order', () => {
    const set = new Bitset(100);
    [99, 0, 31, 32, 64].forEach((i) => set.add(i));
    const seen: number[] = [];
    set.forEach((i) => seen.push(i));
    expect(seen).toEqual([0, 31, 32, 64, 99]);
  });
});
