// Debian's headless Chromium (apt-get install chromium) driven by playwright-core: the browser of the browser
// tests and of bench/browser.mjs. No browser is ever downloaded.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM);

/** Flags that give pages a WebGPU adapter without a GPU: Chromium's SwiftShader (CPU) Vulkan. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/**
 * Launch headless Chromium: with `webgpu`, WEBGPU_ARGS, else --disable-gpu. Without the background-networking
 * flags Chromium keeps calling home, which a closed network answers slowly.
 */
export function launchChromium({ webgpu = false } = {}) {
  const base = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...base, ...(webgpu ? WEBGPU_ARGS : ['--disable-gpu'])] });
}
