/** Where a command writes: results to stdout, notes to stderr (so stdout stays parseable). */
export interface CliIO {
  print(line: string): void;
  info(line: string): void;
}

export const processIO: CliIO = {
  print: (line) => process.stdout.write(`${line}\n`),
  info: (line) => process.stderr.write(`${line}\n`),
};
