import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/** onnxruntime-web's WebAssembly runtime (WASM and WebGPU kernels): the loader and its binary. */
const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

/**
 * Copies ORT_FILES beside the bundle (dist/web/assets), where onnxruntime-web looks for them by default. They
 * stay files of their own: the runtime's worker threads load the loader .mjs, which must not be the page's
 * bundle (a bundle that inlined it would start the page again in every worker).
 */
function onnxruntimeFiles(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'onnxruntime-files',
    generateBundle() {
      for (const file of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `assets/${file}`, source: readFileSync(require.resolve(`onnxruntime-web/${file}`)) });
      }
    },
  };
}

/** The viewer's page, built into dist/web (served by `boltzmann view`; no vite at run time). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  // onnxruntime-web's build that loads its runtime from files (ORT_FILES) instead of inlining it.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  plugins: [onnxruntimeFiles()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
});
