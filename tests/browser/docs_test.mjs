// Opens /docs in Debian's headless Chromium, finds the POST /events operation in
// Swagger UI, sends a batch from the page with "Try it out", and checks that the page
// shows the service's 200 and that the service really stored the event.
//
// Usage: node docs_test.mjs EVENTLINE_BINARY SCREENSHOT_PATH
//   DATABASE_URL                a PostgreSQL server; the test makes its own database
//   EVENTLINE_NODE_MODULES      where CMake installed playwright-core (package.json here)

import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(path.join(process.env.EVENTLINE_NODE_MODULES, 'package.json'));
const { chromium } = require('playwright-core');

const [binary, screenshot] = process.argv.slice(2);
const serverUrl = process.env.DATABASE_URL;
if (!binary || !screenshot || !serverUrl) {
  throw new Error('usage: DATABASE_URL=... node docs_test.mjs EVENTLINE_BINARY SCREENSHOT');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function ingestedCount(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('events_ingested_total{source="http"} '));
  return Number(line.split(' ')[1]);
}

const psql = (sql) => execFileSync('psql', ['-qAt', '-v', 'ON_ERROR_STOP=1', serverUrl, '-c', sql]);
const database = `eventline_docs_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${database}`;

let service;
let browser;
let log = '';
psql(`CREATE DATABASE ${database}`);
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // --auth off: this is about the page and "Try it out", not keys.
  service = spawn(binary, ['serve', '--database-url', databaseUrl.toString(),
    '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', '--auth', 'off']);
  service.stderr.on('data', (chunk) => { log += chunk; });
  await waitFor('the service to be ready', async () => (await fetch(`${base}/readyz`)).ok);
  const before = await ingestedCount(base);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${base}/docs`);
  // Swagger UI names each operation's block after its tag and operationId.
  const operation = page.locator('#operations-events-postEvents');
  await operation.waitFor({ timeout: 30000 });
  await operation.locator('.opblock-summary').click();
  await operation.locator('button.try-out__btn').click();

  const eventId = randomUUID();
  const batch = [{ event_id: eventId, occurred_at: '2025-01-06T12:00:00Z', user_id: 'browser',
    event_type: 'docs_try_it_out', properties: { from: 'swagger-ui' } }];
  await operation.locator('textarea.body-param__text').fill(JSON.stringify(batch, null, 2));
  await operation.locator('button.execute').click();

  const status = operation.locator('.live-responses-table .response .response-col_status');
  await status.first().waitFor({ timeout: 30000 });
  const shown = (await status.first().innerText()).trim();
  const body = await operation.locator('.live-responses-table .response-col_description pre')
    .first().innerText();
  await status.first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot, fullPage: false });

  const failures = [];
  if (!shown.startsWith('200')) failures.push(`the page shows status ${shown}`);
  if (!/"accepted":\s*1/.test(body)) failures.push(`the page shows body ${body}`);
  const after = await ingestedCount(base);
  if (after !== before + 1) failures.push(`events_ingested_total went ${before} -> ${after}`);
  if (pageErrors.length) failures.push(`page errors: ${pageErrors.join('; ')}`);
  for (const failure of failures) console.log(`FAIL: ${failure}`);
  console.log(`docs browser test: ${failures.length ? 'FAILED' : 'ok'} (page showed ${shown}, ` +
    `event ${eventId}, screenshot ${screenshot})`);
  process.exitCode = failures.length ? 1 : 0;
} catch (error) {
  console.log(`FAIL: ${error.stack}\n--- service log ---\n${log.slice(-3000)}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  if (service) {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
  }
  psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
