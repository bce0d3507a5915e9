import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { createModel, createVersion, features16, LOGREG } from '../factories/model.factory';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { createTestApp, TestApp } from '../support/test-app';

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** `SWAGGER_SCREENSHOT=docs.png npm test -- swagger-ui` saves the page with an operation expanded. */
const SCREENSHOT = process.env.SWAGGER_SCREENSHOT;

describeWithBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let doc: OpenApiDocument;
  let model: string;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    doc = (await t.http.get('/docs-json').expect(200)).body as OpenApiDocument;
    model = (await createModel(t)).name;
    await createVersion(t, model, LOGREG, { features: features16() });
    await t.http.post(`/api/v1/models/${model}/promote`).set(t.admin).send({ version: 1 }).expect(200);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${base}/docs`);
    await page.locator('.opblock').first().waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const operation = (method: string, path: string) => {
    const op = doc.paths[path][method];
    return page.locator(`#operations-${op.tags[0]}-${op.operationId}`);
  };

  /** Expands an operation, presses Try it out, lets `fill` set its inputs, presses Execute; returns the block. */
  async function tryItOut(method: string, path: string, fill: (block: ReturnType<typeof operation>) => Promise<void>) {
    const block = operation(method, path);
    await block.locator('.opblock-summary').first().click();
    await block.locator('.try-out__btn').click();
    await fill(block);
    await block.locator('.btn.execute').click();
    await block.locator('.live-responses-table tr.response .response-col_status').first().waitFor();
    return block;
  }

  it('should show every operation of the document when the page loads', async () => {
    const expected = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => METHODS.has(m))
          .map((m) => `${m} ${path}`),
      )
      .sort();
    const shown = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.toLowerCase() ?? '';
        return `${method} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''}`;
      }),
    );
    expect(shown.sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(40);
  });

  it('should show the product name and how to start when the page loads', async () => {
    await expect(page.locator('.info .title').textContent()).resolves.toContain('DeltaOne ML platform');
    const description = (await page.locator('.info .description').textContent()) ?? '';
    expect(description).toContain('npm install && npm start');
    expect(description).toContain('API key');
  });

  it('should send the key when Authorize is given one, and remember it across a reload', async () => {
    await page.locator('.btn.authorize').first().click();
    const bearer = page.locator('.auth-container').filter({ hasText: 'bearer' });
    await bearer.locator('input').fill(t.adminKey);
    await bearer.locator('button.authorize').click();
    await page.locator('.modal-ux .btn-done').first().click();

    await page.reload();
    await page.locator('.opblock').first().waitFor();
    await expect(page.locator('.btn.authorize.locked').count()).resolves.toBeGreaterThan(0);

    const block = await tryItOut('get', '/api/v1/api-keys/current', () => Promise.resolve());
    await expect(
      block.locator('.live-responses-table tr.response .response-col_status').first().textContent(),
    ).resolves.toBe('200');
    await expect(
      block.locator('.live-responses-table tr.response .response-col_description').textContent(),
    ).resolves.toContain('"owner": "admin"');
  });

  it('should answer a prediction when Try it out is pressed on predict for a registered model', async () => {
    const block = await tryItOut('post', '/api/v1/models/{name}/predict', async (b) => {
      await b.locator('tr[data-param-name="name"] input').fill(model);
      const row = Object.fromEntries(features16().map((f, i) => [f.name, i / 10]));
      await b.locator('textarea.body-param__text').fill(JSON.stringify({ inputs: [row] }));
    });
    await expect(
      block.locator('.live-responses-table tr.response .response-col_status').first().textContent(),
    ).resolves.toBe('200');
    const answer =
      (await block.locator('.live-responses-table tr.response .response-col_description').textContent()) ?? '';
    expect(answer).toContain('"predictions"');
    expect(answer).toContain(`"model": "${model}"`);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: false });
  });

  it('should log no error in the console when the page is used', () => {
    expect(problems).toEqual([]);
  });
});
