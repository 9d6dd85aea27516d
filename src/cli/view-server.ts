/**
 * The HTTP server of `boltzmann view`: the prebuilt page (`dist/web`, from `npm run build`), one run folder's
 * model and log, read-only, and the bundled digits as float32 rows for training in the browser. Every
 * response is cross-origin isolated (COOP/COEP), so that onnxruntime-web may run WebAssembly threads.
 *
 *   GET /, /assets/...                 the page and its bundle (onnxruntime-web's .wasm files included)
 *   GET /run/model.safetensors         the run's model file
 *   GET /run/log.jsonl                 the run's training log (404 when the run has none)
 *   GET /digits/train.f32?count=N      the first N digits of a split (train or test): N x 784 float32,
 *                                      little-endian, row-major, with headers x-rows and x-cols
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { loadBundledDigits, type DigitsSplit } from '../data/mnist.js';
import type { Dataset } from '../data/dataset.js';

/**
 * The built page. This file sits two folders below the package root both as source (src/cli) and compiled
 * (dist/cli), so the same relative path finds dist/web from either.
 */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface ViewServerOptions {
  /** The run folder whose model.safetensors and log.jsonl are served. */
  readonly runDir: string;
  /** 0: any free port. */
  readonly port: number;
  readonly host: string;
  /** The built page (default WEB_ROOT). */
  readonly webRoot?: string;
}

export interface ViewServer {
  /** The page's address, e.g. http://127.0.0.1:8080/. */
  readonly url: string;
  close(): Promise<void>;
}

const RUN_FILES: Record<string, string> = {
  '/run/model.safetensors': 'model.safetensors',
  '/run/log.jsonl': 'log.jsonl',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

const DIGITS = /^\/digits\/(train|test)\.f32$/;

/** Serve the page and `runDir` on host:port; resolves once listening. */
export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const webRoot = resolve(options.webRoot ?? WEB_ROOT);
  const digits = new Map<DigitsSplit, Dataset>();
  const digitsOf = (split: DigitsSplit): Dataset => {
    if (!digits.has(split)) digits.set(split, loadBundledDigits(split));
    return digits.get(split)!;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'only GET and HEAD\n', 'text/plain');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const runFile = RUN_FILES[path];
    if (runFile !== undefined) return sendFile(response, join(options.runDir, runFile), { 'cache-control': 'no-store' });
    const split = DIGITS.exec(path)?.[1] as DigitsSplit | undefined;
    if (split !== undefined) {
      const { examples } = digitsOf(split);
      const rows = Math.min(examples.rows, Number(url.searchParams.get('count') ?? examples.rows) || examples.rows);
      const data = examples.data.subarray(0, rows * examples.cols);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      return send(response, 200, bytes, 'application/octet-stream', { 'x-rows': String(rows), 'x-cols': String(examples.cols) });
    }
    const file = resolve(webRoot, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(webRoot + sep)) return send(response, 404, 'not found\n', 'text/plain');
    return sendFile(response, file, {});
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((e: unknown) => send(response, 500, `${String(e)}\n`, 'text/plain'));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new UserError(`view: port ${options.port} is in use (--port 0 picks a free one)`) : e),
    );
    server.listen(options.port, options.host, done);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function sendFile(response: ServerResponse, file: string, headers: Record<string, string>): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    return send(response, 404, `not found: ${basename(file)}\n`, 'text/plain');
  }
  send(response, 200, bytes, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', headers);
}

function send(response: ServerResponse, status: number, body: Uint8Array | string, type: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...ISOLATION_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
