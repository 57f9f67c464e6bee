export { main, cliVersion } from './cli/main.js';
export { ExitCode, UsageError } from './cli/exit-codes.js';
export type { Command, CommandIO } from './cli/io.js';
