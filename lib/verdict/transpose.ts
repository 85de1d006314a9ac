/**
 * Transposes a square bit matrix stored row-major as `size` rows of `words` 32-bit words each (bit i of a row is
 * word i>>5, bit i&31). Works 32x32 blocks at a time and skips all-zero blocks, so a matrix whose rows are mostly
 * empty costs little.
 */
export function transposeBits(rows: Uint32Array, columns: Uint32Array, size: number, words: number): void {
  columns.fill(0);
  const block = new Uint32Array(32);
  for (let rowBlock = 0; rowBlock < words; rowBlock++) {
    const firstRow = rowBlock << 5;
    const rowCount = Math.min(32, size - firstRow);
    for (let word = 0; word < words; word++) {
      let any = 0;
      for (let i = 0; i < rowCount; i++) {
        const value = rows[(firstRow + i) * words + word];
        block[i] = value;
        any |= value;
      }
      if (any === 0) continue;
      for (let i = rowCount; i < 32; i++) block[i] = 0;
      transpose32(block);
      const firstColumn = word << 5;
      const columnCount = Math.min(32, size - firstColumn);
      for (let b = 0; b < columnCount; b++) columns[(firstColumn + b) * words + rowBlock] = block[b];
    }
  }
}

/**
 * In-place transpose of a 32x32 bit block (bit j of word i moves to bit i of word j), by swapping ever smaller
 * off-diagonal sub-blocks: 16x16, then 8x8, ... then single bits.
 */
export function transpose32(a: Uint32Array): void {
  let mask = 0x0000ffff;
  for (let j = 16; j !== 0; j >>>= 1, mask = (mask ^ (mask << j)) >>> 0) {
    for (let k = 0; k < 32; k = ((k | j) + 1) & ~j) {
      const t = ((a[k] >>> j) ^ a[k | j]) & mask;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
}
