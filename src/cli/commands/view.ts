import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { loadModel } from '../../io/model-file.js';
import { createNodeEngine } from '../../runtime/node.js';
import { nonNegativeInt } from '../parse.js';
import { startViewServer, WEB_ROOT } from '../view-server.js';
import { interruptible } from '../interrupt.js';

/** `boltzmann view RUN_DIR`: serve the browser viewer of a run folder until interrupted. */
export function viewCommand() {
  return new Command('view')
    .description('serve a page that shows a run folder (filters, reconstructions, learning curves, live fantasy particles; for an RBM, drawing and filling in) and trains a small RBM in the browser')
    .argument('<run-dir>', 'a run folder written by train (model.safetensors of an RBM, a DBN or a DBM; log.jsonl)')
    .option('--port <n>', 'port to listen on (0: any free port)', nonNegativeInt, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (runDir, o) => {
      await checkRunFolder(runDir);
      if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new UserError(`view: the page is not built (no ${WEB_ROOT}index.html): run npm run build`);
      const server = await startViewServer({ runDir, port: o.port, host: o.host });
      process.stdout.write(`boltzmann view: ${server.url} (Ctrl-C to stop)\n`);
      await interruptible((signal) => new Promise<void>((done) => signal.addEventListener('abort', () => done())), 'stopping the server');
      await server.close();
    });
}

/** A UserError unless `runDir` is a folder holding a model file the page opens (an RBM, a DBN or a DBM). */
export async function checkRunFolder(runDir: string): Promise<void> {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UserError(`view: ${runDir}: no such run folder`);
  const path = join(runDir, 'model.safetensors');
  if (!existsSync(path)) throw new UserError(`view: ${runDir}: no model.safetensors (not a run folder written by train?)`);
  const engine = createNodeEngine({ threads: 1 });
  try {
    await loadModel(engine, path);
  } finally {
    await engine.dispose();
  }
}
