/**
 * The browser viewer end to end: a run folder trained by the CLI, served by `startViewServer`, loaded in
 * Debian's headless Chromium. Skipped, with one line, where /usr/bin/chromium is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewServer, WEB_ROOT, type ViewServer } from '../../src/cli/view-server.js';
import { makeTempDir, runOk } from '../cli/run-cli.js';
import { CHROMIUM, hasChromium, launchChromium } from '../../bench/lib/chromium.mjs';

if (!hasChromium) console.log(`test/web: browser tests skipped: no ${CHROMIUM} (apt-get install chromium)`);

/** Whether the canvas `selector` holds at least two different pixels (a blank canvas holds one colour). */
function canvasVaries(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (canvas: HTMLCanvasElement) => {
    if (canvas.width === 0 || canvas.height === 0) return false;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
    }
    return false;
  });
}

/** The canvas's pixels as one string, to compare two moments. */
function canvasPixels(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (canvas: HTMLCanvasElement) => canvas.toDataURL());
}

/** A run folder trained by the CLI, served by `startViewServer` and open in a page of `browser()`, once ready. */
interface ViewedRun {
  readonly runDir: string;
  readonly page: Page;
  /** The page's uncaught errors. */
  readonly pageErrors: string[];
}

/**
 * The run that `boltzmann train ...trainArgs --out RUN_DIR` writes, viewed in a page: trained, served and
 * loaded before the tests of the calling describe, closed after them.
 */
function viewedRun(browser: () => Browser, ...trainArgs: string[]): ViewedRun {
  const run = { runDir: makeTempDir(), pageErrors: [] as string[] } as { runDir: string; page: Page; pageErrors: string[] };
  let server: ViewServer | undefined;
  beforeAll(async () => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error(`the page is not built (${WEB_ROOT}): run npm run build`);
    await runOk('train', ...trainArgs, '--sample-steps', '1', '--threads', '1', '--quiet', '--out', run.runDir);
    server = await startViewServer({ runDir: run.runDir, port: 0, host: '127.0.0.1' });
    run.page = await browser().newPage();
    run.page.on('pageerror', (e) => run.pageErrors.push(e.message));
    await run.page.goto(server.url);
    await run.page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined, null, { timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await run.page?.close();
    await server?.close();
  });
  return run;
}

/** Waits until the live fantasy particles have run `steps` steps, then until they change: a later picture differs. */
async function expectLiveFantasy(page: Page, steps: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.getElementById('fantasy-steps')!.textContent) >= n, steps, { timeout: 30_000 });
  expect(await canvasVaries(page, '#fantasy')).toBe(true);
  const before = await canvasPixels(page, '#fantasy');
  await page.waitForFunction((n) => Number(document.getElementById('fantasy-steps')!.textContent) > n, Number(await page.textContent('#fantasy-steps')), { timeout: 30_000 });
  expect(await canvasPixels(page, '#fantasy')).not.toBe(before);
}

/** How many lines of a run's log.jsonl carry a number under `key`. */
function loggedWith(runDir: string, key: string): number {
  const lines = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n');
  return lines.filter((line) => typeof (JSON.parse(line) as Record<string, unknown>)[key] === 'number').length;
}

describe.skipIf(!hasChromium)('the viewer in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('an RBM run', () => {
    const run = viewedRun(() => browser, '--data', 'mnist', '--hidden', '25', '--epochs', '3');

    it('loads the run without errors, cross-origin isolated (WASM threads)', async () => {
      expect(await run.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      expect(await run.page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(await run.page.textContent('#model-info')).toBe('RBM 784 bernoulli visible x 25 bernoulli hidden, 3 epochs trained');
      expect(await run.page.textContent('#engine-info')).toMatch(/WASM with [2-9] threads/);
    });

    it('draws the filters, the reconstructions and live fantasy particles: no canvas is blank', async () => {
      await expectLiveFantasy(run.page, 10);
      for (const id of ['#filters', '#reconstructions', '#pad', '#filled']) expect(await canvasVaries(run.page, id), id).toBe(true);
      expect(await run.page.textContent('#filters-tensor')).toBe('weights');
      expect(await run.page.textContent('#fantasy-chain')).toContain('block Gibbs chains v -> h -> v');
    });

    it('plots every logged epoch', async () => {
      const logged = loggedWith(run.runDir, 'epoch');
      expect(logged).toBe(3);
      for (const key of ['reconstructionError', 'pseudoLogLikelihood']) {
        expect(await run.page.getAttribute(`#curves .curve[data-key=${key}]`, 'data-points'), key).toBe(String(logged));
      }
    });

    it('drawing on the pad changes the filled-in image', async () => {
      await run.page.click('#pad-clear');
      await run.page.waitForFunction(() => document.getElementById('fill-status')!.textContent.includes('answers'));
      const runs = async (): Promise<number> => Number(await run.page.getAttribute('#fill-status', 'data-runs'));
      await expect.poll(async () => runs(), { timeout: 20_000 }).toBeGreaterThan(0);
      const settled = async (): Promise<void> => {
        let last = -1;
        await expect.poll(async () => {
          const now = await runs();
          const still = now === last;
          last = now;
          return still && (await run.page.textContent('#fill-status'))!.includes('answers');
        }, { timeout: 20_000, interval: 500 }).toBe(true);
      };
      await settled();
      const blank = await canvasPixels(run.page, '#filled');
      const box = (await run.page.$('#pad'))!.boundingBox();
      const { x, y, width, height } = (await box)!;
      await run.page.mouse.move(x + width * 0.5, y + height * 0.2);
      await run.page.mouse.down();
      await run.page.mouse.move(x + width * 0.5, y + height * 0.8, { steps: 12 });
      await run.page.mouse.up();
      await settled();
      expect(await canvasPixels(run.page, '#filled')).not.toBe(blank);
    });

    it('trains an RBM in the browser and its reconstruction error falls', async () => {
      await run.page.fill('input[name=hidden]', '32');
      await run.page.fill('input[name=examples]', '1000');
      await run.page.fill('input[name=epochs]', '4');
      await run.page.click('#train-start');
      await run.page.waitForFunction(() => document.getElementById('train-status')!.dataset.done === 'true' || document.getElementById('train-status')!.textContent.startsWith('failed'), null, { timeout: 60_000 });
      expect(await run.page.textContent('#train-status')).toMatch(/^done: 4 epochs/);
      const errors = await run.page.$$eval('#train-log tbody tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.reconstructionError)));
      expect(errors).toHaveLength(4);
      expect(errors[3]).toBeLessThan(errors[0]);
      expect(await canvasVaries(run.page, '#train-filters')).toBe(true);
      expect(await run.page.getAttribute('#train-curves .curve', 'data-points')).toBe('4');
      expect(Number(await run.page.getAttribute('#train-status', 'data-samples-per-second'))).toBeGreaterThan(0);
    });
  });

  describe.each([
    ['DBN', 'dbn', 'every frame, the last samples go up the lower RBMs'],
    ['DBM', 'dbm', 'every frame, the odd layers are drawn from the mean-field posterior'],
  ])('a %s run', (title, kind, chain) => {
    const run = viewedRun(() => browser, '--model', kind, '--data', 'mnist:test', '--layers', '25,16', '--epochs', '2');

    it('loads the run without errors, its title in the header', async () => {
      expect(await run.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      expect(await run.page.textContent('#model-info')).toMatch(new RegExp(`^${title} 784-25-16 \\(Bernoulli\\)`));
    });

    it("draws the first layer's filters, the reconstructions and live fantasy particles of its own chain", async () => {
      await expectLiveFantasy(run.page, 10);
      for (const id of ['#filters', '#reconstructions']) expect(await canvasVaries(run.page, id), id).toBe(true);
      expect(await run.page.textContent('#filters-tensor')).toBe('weights_0');
      expect(await run.page.textContent('#fantasy-chain')).toContain(chain);
    });

    it('plots the reconstruction error of every logged epoch that has one', async () => {
      const logged = loggedWith(run.runDir, 'reconstructionError');
      expect(logged).toBe(kind === 'dbn' ? 4 : 2);
      expect(await run.page.getAttribute('#curves .curve[data-key=reconstructionError]', 'data-points')).toBe(String(logged));
      expect(await run.page.getAttribute('#curves .curve[data-key=reconstructionError]', 'data-series')).toBe(kind === 'dbn' ? 'layer 1,layer 2' : 'joint training');
    });

    it('says in one line why there is no fill-in pad, and keeps the training of a fresh RBM', async () => {
      expect(await run.page.isVisible('#draw-panels')).toBe(false);
      expect(await run.page.textContent('#draw-note')).toContain(`for RBMs only; this run holds a ${title}`);
      expect(await run.page.isVisible('#train-start')).toBe(true);
    });
  });

  describe('a classification RBM run', () => {
    const run = viewedRun(() => browser, '--model', 'class-rbm', '--data', 'mnist:test', '--hidden', '16', '--epochs', '2');

    it('loads the run, draws its filters and the live chain of (x, y), and plots its classification errors', async () => {
      expect(await run.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      expect(await run.page.textContent('#model-info')).toMatch(/^classification RBM 784 bernoulli visible \+ 10 classes x 16 bernoulli hidden/);
      await expectLiveFantasy(run.page, 10);
      expect(await run.page.textContent('#filters-tensor')).toBe('weights');
      expect(await canvasVaries(run.page, '#filters')).toBe(true);
      expect(await run.page.textContent('#fantasy-chain')).toContain('the joint chain, h | x, y then x, y | h');
      expect(loggedWith(run.runDir, 'trainingError')).toBe(2);
      expect(await run.page.getAttribute('#curves .curve[data-key=trainingError]', 'data-points')).toBe('2');
    });
  });

  describe('a multi-prediction DBM run', () => {
    const run = viewedRun(() => browser, '--model', 'mp-dbm', '--data', 'mnist:test', '--layers', '25,16', '--epochs', '2');

    it('loads the run, draws its filters and the live chain of the whole machine, and plots its loss', async () => {
      expect(await run.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      expect(await run.page.textContent('#model-info')).toMatch(/^multi-prediction DBM 784-25-16 with 10 classes \(Bernoulli\)/);
      await expectLiveFantasy(run.page, 10);
      expect(await run.page.textContent('#filters-tensor')).toBe('weights_0');
      expect(await canvasVaries(run.page, '#filters')).toBe(true);
      expect(await run.page.textContent('#fantasy-chain')).toContain('block Gibbs steps of the whole chain');
      expect(loggedWith(run.runDir, 'loss')).toBe(2);
      expect(await run.page.getAttribute('#curves .curve[data-key=loss]', 'data-points')).toBe('2');
    });
  });

  describe('a gated RBM run', () => {
    const run = viewedRun(() => browser, '--model', 'gated-rbm', '--data', 'pairs:shift:dots:100:6', '--hidden', '4', '--factors', '6', '--epochs', '2');

    it('loads the run, draws its factors\' pair filters and the live chain of y given x, and plots its reconstruction error', async () => {
      expect(await run.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      expect(await run.page.textContent('#model-info')).toMatch(/^gated RBM 36 inputs -> 36 bernoulli outputs, 4 bernoulli mapping units, 6 factors/);
      await expectLiveFantasy(run.page, 10);
      expect(await run.page.textContent('#filters-tensor')).toBe('input_factors above output_factors');
      expect(await canvasVaries(run.page, '#filters')).toBe(true);
      expect(await run.page.textContent('#fantasy-chain')).toContain("continues its chain given the pair's input x");
      expect(await run.page.getAttribute('#curves .curve[data-key=reconstructionError]', 'data-points')).toBe('2');
    });
  });
});
