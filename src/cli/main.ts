import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { UserError } from '../errors.js';
import { DivergenceError } from '../training/divergence.js';
import { evalCommand } from './commands/eval.js';
import { featuresCommand } from './commands/features.js';
import { inspectCommand } from './commands/inspect.js';
import { reconstructCommand } from './commands/reconstruct.js';
import { sampleCommand } from './commands/sample.js';
import { trainCommand } from './commands/train.js';
import { classifyCommand } from './commands/classify.js';
import { denoiseCommand } from './commands/denoise.js';
import { viewCommand } from './commands/view.js';
import { InterruptedError, INTERRUPTED_EXIT, withInterrupts } from './interrupt.js';

/** This package's version, from its package.json (two folders above src/cli and dist/cli alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The `boltzmann` command: subcommands thin over the library. */
export function buildProgram(): Command {
  const program = new Command('boltzmann')
    .description('Boltzmann machines on ONNX Runtime: train, sample, evaluate, inspect, classify, denoise, view')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const command of [trainCommand(), sampleCommand(), featuresCommand(), reconstructCommand(), inspectCommand(), evalCommand(), classifyCommand(), denoiseCommand(), viewCommand()]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/**
 * Run the CLI on `argv` (as process.argv) and return the exit code: 0 on success, 1 on an error in the input
 * (a one-line message on stderr, no stack trace unless --debug), 2 on a usage error, 3 on divergence, 130 when
 * Ctrl-C or SIGTERM stopped it (see interrupt.ts).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await withInterrupts(() => program.parseAsync([...argv]));
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof InterruptedError) {
      process.stderr.write(`boltzmann: ${oneLine(e)}\n`);
      return INTERRUPTED_EXIT;
    }
    const debug = argv.includes('--debug');
    if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
    else process.stderr.write(`boltzmann: error: ${oneLine(e)}\n`);
    if (e instanceof DivergenceError) return 3;
    return 1;
  }
}

function oneLine(e: unknown): string {
  const message = e instanceof UserError || e instanceof Error ? e.message : String(e);
  return message.replace(/\s*\n\s*/g, ' ');
}
