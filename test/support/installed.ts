/**
 * `describe` when a program the suite needs is installed. Without it the suite is skipped under a name that says
 * what is missing, with a warning; with CI=true it fails instead, since CI installs every such program.
 */
export function describeWhenInstalled(
  installed: boolean,
  what: string,
  install: string,
  name: string,
  fn: () => void,
): void {
  if (installed) return describe(name, fn);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`should find ${what} when CI=true`, () => {
        throw new Error(`${what} is not installed (${install})`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** ${name}: ${what} is not installed (${install}): these tests did not run ***\n\n`);
  describe.skip(`${name} [${what} is not installed]`, fn);
}
