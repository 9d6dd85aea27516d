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

describe.skipIf(!hasChromium)('the viewer in Chromium', () => {
  const runDir = makeTempDir();
  let server: ViewServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error(`the page is not built (${WEB_ROOT}): run npm run build`);
    await runOk('train', '--data', 'mnist', '--hidden', '25', '--epochs', '3', '--sample-steps', '1', '--threads', '1', '--quiet', '--out', runDir);
    server = await startViewServer({ runDir, port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined, null, { timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the run without errors, cross-origin isolated (WASM threads)', async () => {
    expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent('#model-info')).toContain('784 x 25 RBM');
    expect(await page.textContent('#engine-info')).toMatch(/WASM with [2-9] threads/);
  });

  it('draws the filters, the reconstructions and live fantasy particles: no canvas is blank', async () => {
    await page.waitForFunction(() => Number(document.getElementById('fantasy-steps')!.textContent) >= 10, null, { timeout: 30_000 });
    for (const id of ['#filters', '#reconstructions', '#fantasy', '#pad', '#filled']) expect(await canvasVaries(page, id), id).toBe(true);
    const before = await canvasPixels(page, '#fantasy');
    await page.waitForFunction((steps) => Number(document.getElementById('fantasy-steps')!.textContent) > steps, Number(await page.textContent('#fantasy-steps')), { timeout: 30_000 });
    expect(await canvasPixels(page, '#fantasy')).not.toBe(before);
  });

  it('plots every logged epoch', async () => {
    const logged = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').length;
    expect(logged).toBe(3);
    for (const key of ['reconstructionError', 'pseudoLogLikelihood']) {
      expect(await page.getAttribute(`#curves .curve[data-key=${key}]`, 'data-points'), key).toBe(String(logged));
    }
  });

  it('drawing on the pad changes the filled-in image', async () => {
    await page.click('#pad-clear');
    await page.waitForFunction(() => document.getElementById('fill-status')!.textContent.includes('answers'));
    const runs = async (): Promise<number> => Number(await page.getAttribute('#fill-status', 'data-runs'));
    await expect.poll(async () => runs(), { timeout: 20_000 }).toBeGreaterThan(0);
    const settled = async (): Promise<void> => {
      let last = -1;
      await expect.poll(async () => {
        const now = await runs();
        const still = now === last;
        last = now;
        return still && (await page.textContent('#fill-status'))!.includes('answers');
      }, { timeout: 20_000, interval: 500 }).toBe(true);
    };
    await settled();
    const blank = await canvasPixels(page, '#filled');
    const box = (await page.$('#pad'))!.boundingBox();
    const { x, y, width, height } = (await box)!;
    await page.mouse.move(x + width * 0.5, y + height * 0.2);
    await page.mouse.down();
    await page.mouse.move(x + width * 0.5, y + height * 0.8, { steps: 12 });
    await page.mouse.up();
    await settled();
    expect(await canvasPixels(page, '#filled')).not.toBe(blank);
  });

  it('trains an RBM in the browser and its reconstruction error falls', async () => {
    await page.fill('input[name=hidden]', '32');
    await page.fill('input[name=examples]', '1000');
    await page.fill('input[name=epochs]', '4');
    await page.click('#train-start');
    await page.waitForFunction(() => document.getElementById('train-status')!.dataset.done === 'true' || document.getElementById('train-status')!.textContent.startsWith('failed'), null, { timeout: 60_000 });
    expect(await page.textContent('#train-status')).toMatch(/^done: 4 epochs/);
    const errors = await page.$$eval('#train-log tbody tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.reconstructionError)));
    expect(errors).toHaveLength(4);
    expect(errors[3]).toBeLessThan(errors[0]);
    expect(await canvasVaries(page, '#train-filters')).toBe(true);
    expect(await page.getAttribute('#train-curves .curve', 'data-points')).toBe('4');
    expect(Number(await page.getAttribute('#train-status', 'data-samples-per-second'))).toBeGreaterThan(0);
  });
});
