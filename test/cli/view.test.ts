/** `boltzmann view`: its checks of the run folder, and the server (headers, files, digits) without a browser. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRunFolder } from '../../src/cli/commands/view.js';
import { startViewServer, type ViewServer } from '../../src/cli/view-server.js';
import { loadBundledDigits } from '../../src/data/mnist.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { makeTempDir, runCli, runOk, tinyTrainArgs } from './run-cli.js';

const dir = makeTempDir();
const runDir = join(dir, 'run');

beforeAll(async () => {
  await runOk(...tinyTrainArgs(runDir));
});

describe('view: the run folder', () => {
  it('opens the run folders of DBNs and DBMs too', async () => {
    for (const [kind, layers] of [['dbn', '4,3'], ['dbm', '4,3']]) {
      const deep = join(dir, kind);
      await runOk(...tinyTrainArgs(deep, '--model', kind, '--layers', layers));
      await expect(checkRunFolder(deep), kind).resolves.toBeUndefined();
    }
  });

  it('a missing folder, one without a model, or one with a model of an unknown kind is a one-line error and exit 1', async () => {
    const unknown = join(dir, 'unknown');
    mkdirSync(unknown);
    writeFileSync(join(unknown, 'model.safetensors'), encodeSafetensors({ weights: { dtype: 'F32', shape: [1, 1], data: new Float32Array(1) } }, { format: 'boltzmann/1', kind: 'vae' }));
    for (const [folder, message] of [
      [join(dir, 'nowhere'), 'no such run folder'],
      [(mkdirSync(join(dir, 'empty')), join(dir, 'empty')), 'no model.safetensors'],
      [unknown, 'a "vae" model; this library reads rbm, dbn, dbm, class-rbm, gated-rbm, mp-dbm files'],
    ]) {
      const r = await runCli('view', folder);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('serves the built page from the installed command and prints its URL; Ctrl-C stops it', async () => {
    const bin = join(import.meta.dirname, '../../bin/boltzmann.js');
    if (!existsSync(join(import.meta.dirname, '../../dist/cli/commands/view.js'))) throw new Error('dist is not built: run npm run build');
    const child = spawn(process.execPath, [bin, 'view', runDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`view exited with ${code}`)));
      });
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(line)?.[0];
      expect(url, line).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<canvas id="filters"');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});

describe('view: the server', () => {
  let server: ViewServer;
  beforeAll(async () => {
    server = await startViewServer({ runDir, port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 and isolates every response cross-origin (COOP/COEP: WASM threads)', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const path of ['', 'run/model.safetensors', 'no-such-file']) {
      const r = await fetch(server.url + path);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
  });

  it("serves the run's model and log as they are on disk, and nothing else of the folder", async () => {
    for (const file of ['model.safetensors', 'log.jsonl']) {
      const r = await fetch(`${server.url}run/${file}`);
      expect(r.status).toBe(200);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(new Uint8Array(readFileSync(join(runDir, file))));
    }
    expect((await fetch(`${server.url}run/filters.png`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2f..%2fpackage.json`)).status).toBe(404); // ../../package.json, once decoded
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('serves the first N bundled digits of a split as float32 rows', async () => {
    const r = await fetch(`${server.url}digits/test.f32?count=5`);
    expect([r.headers.get('x-rows'), r.headers.get('x-cols')]).toEqual(['5', '784']);
    const values = new Float32Array(await r.arrayBuffer());
    expect(values).toEqual(loadBundledDigits('test').examples.data.subarray(0, 5 * 784));
  });

  it('a port in use is a one-line error that points to --port 0', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    await expect(startViewServer({ runDir, port, host: '127.0.0.1' })).rejects.toThrow(/port \d+ is in use.*--port 0/);
    await new Promise((resolve) => blocker.close(resolve));
  });
});
