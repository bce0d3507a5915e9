import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** The system's Chromium (Debian's `chromium` package); playwright-core downloads no browser of its own. */
export const CHROMIUM = CANDIDATES.find((p): p is string => !!p && existsSync(p));

/**
 * `describe` when a browser is installed. Without one the suite is skipped under a name that says so, except in CI
 * (`CI=true`), where a missing browser fails the run: CI installs `chromium`, so the browser tests always run there.
 */
export function describeWithBrowser(name: string, fn: () => void): void {
  if (CHROMIUM) return describe(name, fn);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('should find a Chromium to run in when CI=true', () => {
        throw new Error('no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
      });
    });
    return;
  }
  process.stderr.write(
    `\n*** ${name}: NO BROWSER (apt-get install -y chromium): the browser tests did not run ***\n\n`,
  );
  describe.skip(`${name} [chromium is not installed]`, fn);
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
