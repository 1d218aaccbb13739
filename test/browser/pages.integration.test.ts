// The pages in headless Chromium (Debian's chromium, driven by playwright-core): a vendor's upload to report, and MedCom's path to certified.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { freshCopy, sample, startHarness } from '../api/harness.js';
import type { Harness } from '../api/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** `npm run screenshots` sets this to docs/screenshots; tests otherwise write none. */
const SHOTS = process.env.KIH_SCREENSHOTS;

let h: Harness;
let browser: Browser;
const files = mkdtempSync(path.join(tmpdir(), 'kih-browser-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed for the browser tests and was not found (${CHROMIUM}): run "npm run test:setup" (npm test does) or "apt-get install chromium", or set CHROMIUM_PATH.`
    );
  }
  // The verify worker starts later (h.startVerifier), so MedCom first sees certify refused before the registry check.
  h = await startHarness({ label: 'browser', workers: ['validate', 'submit', 'record'] });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
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
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
  }
});

afterAll(async () => {
  // beforeAll may have failed half-way (no Chromium): close what was opened.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await browser?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await h?.close();
});

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }
}

async function newPage(lang: 'da' | 'en' = 'en'): Promise<Page> {
  const context = await browser.newContext({
    locale: lang === 'da' ? 'da-DK' : 'en-GB',
    viewport: { width: 1200, height: 900 },
  });
  return context.newPage();
}

async function login(page: Page, key: string): Promise<void> {
  await page.goto(`${h.url}/login`);
  await page.getByLabel(/API key|API-nøgle/).fill(key);
  await page.getByRole('button', { name: /Log in|Log ind/ }).click();
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(files, name);
  writeFileSync(file, bytes);
  return file;
}

/** Every form control has a label, the page has a language and one main landmark. */
async function checkAccessibleBasics(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    if (!document.documentElement.lang) {
      out.push('no lang');
    }
    if (document.querySelectorAll('main').length !== 1) {
      out.push('main landmarks');
    }
    for (const el of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))) {
      const input = el as HTMLInputElement;
      if (input.labels === null || input.labels.length === 0) {
        out.push(`unlabelled ${input.name}`);
      }
    }
    return out;
  });
  expect(problems).toEqual([]);
}

describe('a vendor in the browser', () => {
  it('goes from API key to a full report: drops files, watches the list, reads the finding with its lines', async () => {
    const key = await h.addVendor('acme');
    const page = await newPage('en');
    await login(page, key);
    expect(await page.locator('h1').textContent()).toBe('Uploads');
    await checkAccessibleBasics(page);

    // Drop two files on the drop zone as a user would drag them from the file manager.
    const invalid = sample('dk-phmr-1.3/invalid/decimal-comma-value.xml').toString('utf8');
    const valid = sample('dk-phmr-1.3/valid/weight.xml').toString('utf8');
    await page.evaluate(
      ([a, b]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([a!], 'decimal-comma.xml', { type: 'application/xml' }));
        dt.items.add(new File([b!], 'weight.xml', { type: 'application/xml' }));
        document
          .querySelector('.dropzone')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [invalid, valid]
    );
    expect(await page.locator('.chosen').textContent()).toBe('decimal-comma.xml, weight.xml');
    await shot(page, 'vendor-upload');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\?uploaded=2$/);
    expect(await page.getByRole('status').first().textContent()).toContain('2 document(s) received');

    // The list updates itself (no reload) until both are done.
    const rows = page.locator('tr[data-id]');
    expect(await rows.count()).toBe(2);
    await page.waitForFunction(
      () => document.querySelectorAll('tr[data-id][data-state="done"]').length === 2,
      undefined,
      {
        timeout: 30_000,
      }
    );
    expect(await page.locator('tr[data-id] .verdict').allTextContents()).toEqual(
      expect.arrayContaining(['valid', expect.stringMatching(/^invalid \(1\)$/)])
    );
    await shot(page, 'vendor-uploads');

    await page.getByRole('link', { name: 'decimal-comma.xml' }).click();
    const finding = page.locator('li.finding').first();
    expect(await finding.getAttribute('data-rule')).toBe('XSD_VALUE_INVALID');
    expect(await finding.textContent()).toContain('line');
    const hit = await finding.locator('.source .hit').textContent();
    expect(hit).toContain('82,6');
    await checkAccessibleBasics(page);
    await shot(page, 'vendor-report');
    await page.context().close();
  });

  it('reads the pages without JavaScript, in Danish', async () => {
    const key = await h.addVendor('nojs');
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'da-DK' });
    const page = await context.newPage();
    await login(page, key);
    expect(await page.locator('h1').textContent()).toBe('Uploads');
    await page.locator('#files').setInputFiles(write('nojs-weight.xml', sample('dk-phmr-2.1/valid/weight.xml')));
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\?uploaded=1$/);
    await page.getByRole('link', { name: 'nojs-weight.xml' }).click();
    // The report page refreshes itself (meta refresh) until the verdict is in.
    await page.waitForSelector('[data-verdict="valid"]', { timeout: 30_000 });
    expect(await page.locator('h2').first().textContent()).toBe('Testcases');
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.locator('h2').first().textContent()).toBe('Test cases');
    await context.close();
  });
});

describe('MedCom in the browser', () => {
  it('creates a vendor key, follows the vendor through self-test and formal test, and certifies', async () => {
    const admin = await newPage('en');
    await login(admin, h.key('admin'));
    expect(admin.url()).toBe(`${h.url}/admin`);
    await admin.getByRole('link', { name: 'API keys' }).click();
    await admin.getByLabel('Vendor id').fill('medi');
    await admin.getByLabel('Name').first().fill('Medi Telemed');
    await admin.getByRole('button', { name: 'Create key' }).first().click();
    const key = (await admin.locator('#new-key').textContent()) ?? '';
    expect(key).toMatch(/^kih_v_/);
    await checkAccessibleBasics(admin);
    await shot(admin, 'medcom-keys');

    const vendor = await newPage('en');
    await login(vendor, key);
    const phmr = [
      'dk-phmr-1.3/valid/weight.xml',
      'dk-phmr-1.3/valid/blood-pressure-pulse.xml',
      'dk-phmr-1.3/valid/lung-function.xml',
      'dk-phmr-1.3/valid/nullified-measurement-with-comment.xml',
    ];
    await vendor
      .locator('#files')
      .setInputFiles(phmr.map((f, i) => write(`formal-${i}-${path.basename(f)}`, freshCopy(f))));
    await vendor.getByLabel(/Formal test/).check();
    await vendor.getByRole('button', { name: 'Upload' }).click();
    await vendor.waitForURL(/\?uploaded=4$/);
    await vendor.waitForFunction(
      () => document.querySelectorAll('tr[data-id][data-state="done"]').length === 4,
      undefined,
      {
        timeout: 60_000,
      }
    );
    expect(await vendor.locator('tr[data-id] .submission').allTextContents()).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    await vendor.getByRole('link', { name: 'Certification', exact: true }).click();
    // Stored by the formal-test repository; the registry has not been checked yet.
    const vendorPhmr = vendor.locator('[data-protocol="dk-phmr"]');
    expect(await vendorPhmr.locator('.step').textContent()).toBe('End-to-end test');
    expect(await vendorPhmr.locator('td[data-e2e="notChecked"]').count()).toBe(6);
    expect(await vendorPhmr.locator('td[data-e2e]').first().textContent()).toContain('not yet checked in the registry');
    await shot(vendor, 'vendor-certification');

    await admin.getByRole('link', { name: 'Vendors' }).click();
    const cell = admin.locator('tr[data-vendor="medi"] td[data-protocol="dk-phmr"]');
    expect(await cell.textContent()).toContain('End-to-end test');
    expect(await cell.textContent()).not.toContain("Awaiting MedCom's decision");
    await admin.getByRole('link', { name: 'Medi Telemed' }).click();
    let section = admin.locator('section[data-protocol="dk-phmr"]');
    expect(await section.locator('thead th').allTextContents()).toEqual([
      'Test case',
      'Self-test',
      'Formal test',
      'End-to-end test',
    ]);
    expect(await section.locator('tr[data-case] .ok').count()).toBe(12);
    // Certify is not offered before the end-to-end step; forced, the decision is refused with its code.
    expect(await section.getByLabel('Certify').isDisabled()).toBe(true);
    await section.getByLabel('Certify').evaluate((el) => {
      (el as HTMLInputElement).disabled = false;
    });
    await section.getByLabel('Certify').check();
    await section.getByLabel('Comment').fill('Too early: the registry has not been checked.');
    await section.getByRole('button', { name: 'Record decision' }).click();
    const refusal = (await admin.getByRole('alert').textContent()) ?? '';
    expect(refusal).toContain('CERT_ERR_INCOMPLETE');
    expect(refusal).toContain('PHMR-01 (not yet checked in the registry)');

    // The kih-verify stage runs the checks queued after each submission: registered and retrieved intact.
    h.startVerifier();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await h.db.query<{ outcome: string }>(
        `SELECT v.outcome FROM verifications v JOIN uploads u ON u.run_id = v.run_id AND u.seq = v.seq
         WHERE u.vendor_id = 'medi'`
      );
      if (rows.length === 4 || Date.now() > deadline) {
        expect(rows.map((r) => r.outcome)).toEqual(Array(4).fill('verified'));
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    await admin.getByRole('link', { name: 'Vendors' }).click();
    expect(await cell.textContent()).toContain("Awaiting MedCom's decision");
    await shot(admin, 'medcom-overview');
    await admin.getByRole('link', { name: 'Medi Telemed' }).click();
    section = admin.locator('section[data-protocol="dk-phmr"]');
    expect(await section.locator('tr[data-case] .ok').count()).toBe(18);
    expect(await section.locator('td[data-e2e="verified"]').count()).toBe(6);
    expect(await section.locator('td[data-e2e="verified"]').first().textContent()).toMatch(
      /registered in sim[\s\S]*retrieved intact: SHA-1 [0-9a-f]{12}… · \d+ bytes/
    );
    expect(await section.getByLabel('Certify').isDisabled()).toBe(false);
    await section.getByLabel('Certify').check();
    await section.getByLabel('Comment').fill('Every PHMR test case passed in the KIH test environment.');
    await shot(admin, 'medcom-vendor');
    await section.getByRole('button', { name: 'Record decision' }).click();
    await admin.waitForURL(/decided=certify/);
    expect(await admin.locator('section[data-protocol="dk-phmr"] .step').textContent()).toBe('Certified');
    expect(await admin.locator('section[data-protocol="dk-phmr"] table.decisions').textContent()).toContain('alice');

    await admin
      .locator('section[data-protocol="dk-phmr"]')
      .getByRole('link', { name: /Certification report/ })
      .click();
    expect(await admin.locator('[data-step]').textContent()).toBe('Certified');
    await shot(admin, 'certification-report');

    const rows = await h.db.query<{ decision: string; decided_by: string }>(
      `SELECT decision, decided_by FROM decisions WHERE vendor_id = 'medi'`
    );
    expect(rows).toEqual([{ decision: 'certify', decided_by: 'alice' }]);
    await admin.context().close();
    await vendor.context().close();
  });

  it('a refused decision is shown on the page with its code', async () => {
    await h.addVendor('early');
    const admin = await newPage('en');
    await login(admin, h.key('admin'));
    await admin.goto(`${h.url}/admin/vendors/early`);
    const section = admin.locator('section[data-protocol="dk-qrd"]');
    expect(await section.getByLabel('Certify').isDisabled()).toBe(true);
    await section.getByLabel('Comment').fill('Not yet.');
    await section.getByLabel('Approve for production').evaluate((el) => {
      (el as HTMLInputElement).disabled = false;
    });
    await section.getByLabel('Approve for production').check();
    await section.getByRole('button', { name: 'Record decision' }).click();
    expect(await admin.getByRole('alert').textContent()).toContain('CERT_ERR_STEP');
    await admin.context().close();
  });
});
