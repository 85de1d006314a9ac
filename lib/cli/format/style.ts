import { CliIO } from '../io';

/** Text decoration for terminal output; every function is the identity when colour is off. */
export interface Style {
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const plain = (text: string) => text;

/** No decoration: for pipes, files and NO_COLOR. */
export const PLAIN: Style = { good: plain, bad: plain, dim: plain, bold: plain };

function sgr(code: string): (text: string) => string {
  return (text) => `\u001b[${code}m${text}\u001b[0m`;
}

const COLOURED: Style = { good: sgr('32'), bad: sgr('31'), dim: sgr('2'), bold: sgr('1') };

/**
 * Colour only when stdout is a terminal and NO_COLOR (https://no-color.org) is unset or empty, so that pipes and
 * files get plain, byte-stable text.
 */
export function styleFor(io: CliIO): Style {
  const noColor = io.env.NO_COLOR;
  return io.stdout.isTTY && (noColor === undefined || noColor === '') ? COLOURED : PLAIN;
}
