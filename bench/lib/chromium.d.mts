import type { Browser } from 'playwright-core';

export declare const CHROMIUM: string;
export declare const hasChromium: boolean;
export declare const WEBGPU_ARGS: readonly string[];
export declare function launchChromium(options?: { webgpu?: boolean }): Promise<Browser>;
