import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { describeWhenInstalled } from './installed';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** The system's Chromium (Debian's `chromium` package); playwright-core downloads no browser of its own. */
export const CHROMIUM = CANDIDATES.find((p): p is string => !!p && existsSync(p));

/** `describe` when a browser is installed (CI installs `chromium`, so there a missing one fails the run). */
export function describeWithBrowser(name: string, fn: () => void): void {
  describeWhenInstalled(!!CHROMIUM, 'Chromium', 'apt-get install -y chromium, or set CHROMIUM_PATH', name, fn);
}

/** Headless Chromium with the flags this closed network needs (no background connections, no first-run work). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
