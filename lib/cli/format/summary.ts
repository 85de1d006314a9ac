import { Formatter } from './types';

/** Only the counts, from the bitset matrix: no verdict is ever built. */
export const writeSummary: Formatter = async (result, sink) => {
  const { probes, allowed, denied } = result.summary;
  sink.push(`probes   ${probes}\nallowed  ${allowed}\ndenied   ${denied}\n`);
  await sink.flush();
  return probes;
};
