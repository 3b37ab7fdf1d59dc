// Browser test of the live view page (sample-app/src/main/resources/static/live.html) in the system's
// headless Chromium, driven by playwright-core: open the page, start a slow product request, see its group
// and its three tasks appear, abort the request, see them go. Saves a screenshot for the README.
// Usage: node live-view.mjs <base-url> <screenshot.png>   (run.sh starts the app and calls this)
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:18081';
const screenshot = process.argv[3] ?? 'live-view.png';
const GROUP = 'GET /api/products/{id}';
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskgroup-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1100, height: 640 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let request;
try {
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${base}/live.html`);
  await page.waitForFunction(() => document.getElementById('tree').textContent.includes('no live groups'), null,
    { timeout: 15000 });
  check('the page loads and shows no live group', true);
  const cancelledBefore = Number(await page.textContent('#cancelled')) || 0;

  // A slow product page: its three downstream calls take 20 s; the client will hang up before.
  request = http.get(`${base}/api/products/live-demo?latencyMs=20000`);
  request.on('error', () => { /* aborted on purpose */ });

  const group = page.locator(`.group[data-group="${GROUP}"]`);
  await group.waitFor({ timeout: 15000 });
  await page.waitForFunction((name) => {
    const g = document.querySelector(`.group[data-group="${name}"]`);
    return g && g.querySelectorAll('.task[data-state="RUNNING"]').length === 3;
  }, GROUP, { timeout: 15000 });
  const tasks = (await group.locator('.task').evaluateAll((rows) => rows.map((r) => r.dataset.task))).sort();
  check('the group and its three running tasks appear', JSON.stringify(tasks) === '["price","reviews","stock"]',
    JSON.stringify(tasks));
  await page.screenshot({ path: screenshot });
  check(`screenshot saved to ${screenshot}`, fs.statSync(screenshot).size > 0);

  request.destroy(); // the client hangs up
  await group.waitFor({ state: 'detached', timeout: 15000 });
  check('the group and its tasks go once the client hung up', true);
  await page.waitForFunction((before) => Number(document.getElementById('cancelled').textContent) >= before + 3,
    cancelledBefore, { timeout: 10000 }).then(() => check('the cancelled counter grew by 3', true),
    () => check('the cancelled counter grew by 3', false,
      `(it shows ${cancelledBefore} before and now something less than ${cancelledBefore + 3})`));
}
catch (error) {
  check('live view', false, String(error));
}
finally {
  if (request) { request.destroy(); }
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
