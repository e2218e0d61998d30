/**
 * The domain HTML report opened in a real browser: Debian's Chromium driven by
 * playwright-core. Filters and links are clicked across two profiles; the page makes no
 * network request; profile names made of markup run nothing; without JavaScript the page
 * still reads and its links still work.
 *
 * Chromium comes from apt (`.ci/run` installs it). Outside CI, when it is not installed,
 * these tests are skipped with a message saying so; in CI (CI=true) they always run, and
 * fail if Chromium is missing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDomain } from '../../../src/report/check/domain-render.js';
import { checkDomain, domainSnapshot } from '../domain/fixture.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const IN_CI = process.env['CI'] === 'true';
const AVAILABLE = existsSync(CHROMIUM);
if (!AVAILABLE && !IN_CI) {
  console.warn(
    [
      '',
      '!'.repeat(78),
      `!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.`,
      '!! They open the HTML report in a real browser. Install it with',
      '!!   sudo apt-get install -y chromium      (or set CHROMIUM_PATH)',
      '!! In CI (CI=true) they always run.',
      '!'.repeat(78),
      '',
    ].join('\n'),
  );
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TITLE = 'nbjob-iam check: every profile and space';

describe.skipIf(!AVAILABLE && !IN_CI)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let page: string;
  let evilPage: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nbjob-html-'));
    page = path.join(dir, 'domain.html');
    writeFileSync(page, renderDomain(checkDomain(), 'html'));
    evilPage = path.join(dir, 'evil.html');
    writeFileSync(evilPage, renderDomain(checkDomain('schedule', domainSnapshot(true)), 'html'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a file, recording every request and every error the page reports. */
  async function open(file: string, javaScriptEnabled = true): Promise<{ page: Page; requests: string[]; errors: string[]; dialogs: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled });
    const p = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await p.goto(pathToFileURL(file).href);
    return { page: p, requests, errors, dialogs };
  }

  it('loads with no request but the file itself, no error, and its script running', async () => {
    const { page: p, requests, errors } = await open(page);
    expect(requests).toEqual([pathToFileURL(page).href]);
    expect(errors).toEqual([]);
    expect(await p.title()).toBe(TITLE);
    // The script ran (the CSP allowed it by hash): the filters of both profiles are shown.
    expect(await p.locator('#p1-filters').isVisible()).toBe(true);
    expect(await p.locator('#p2-filters').isVisible()).toBe(true);
    // The summary comes first on screen, though written last.
    const summaryTop = await p.locator('#domain-summary').evaluate((e) => e.getBoundingClientRect().top);
    const p1Top = await p.locator('#p1').evaluate((e) => e.getBoundingClientRect().top);
    expect(summaryTop).toBeLessThan(p1Top);
    await p.context().close();
  });

  it("a profile's filters act on that profile only", async () => {
    const { page: p } = await open(page);
    const shown = (prefix: string, status: string): Promise<number> => p.locator(`#${prefix}all details.step[data-status="${status}"]:visible`).count();
    const [alice, bob] = checkDomain().map((x) => x.result.steps.filter((o) => o.status === 'fail'));
    expect(bob!.length).toBeLessThan(alice!.length);
    expect(await shown('p1-', 'fail')).toBe(alice!.length);
    expect(await shown('p2-', 'fail')).toBe(bob!.length);
    await p.locator('#p1-filters input[data-status="fail"]').uncheck();
    expect(await shown('p1-', 'fail')).toBe(0);
    expect(await shown('p2-', 'fail')).toBe(bob!.length);
    expect(await p.locator('#p1-all .shown').textContent()).toMatch(/^\d+ shown$/);
    await p.locator('#p2-filters input[data-phase="run"]').uncheck();
    expect(await shown('p2-', 'fail')).toBe(bob!.filter((o) => o.step.phase !== 'run').length);
    expect(await shown('p1-', 'fail')).toBe(0);
    await p.locator('#p1-all button.expand').click();
    expect(await p.locator('#p1-all details.step:visible[open]').count()).toBe(await p.locator('#p1-all details.step:visible').count());
    expect(await p.locator('#p2-all details.step[open]').count()).toBe(0);
    await p.context().close();
  });

  it('links of the matrix open the step of the right profile, even one a filter hides', async () => {
    const { page: p } = await open(page);
    await p.locator('#domain-summary table.matrix a[href="#p2-step-schedule.put-rule"]').click();
    expect(new URL(p.url()).hash).toBe('#p2-step-schedule.put-rule');
    const target = p.locator('[id="p2-step-schedule.put-rule"]');
    expect(await target.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    await expect.poll(() => target.isVisible()).toBe(true);
    expect(await p.locator('[id="p1-step-schedule.put-rule"]').evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
    // A filter hides p1's failures; the matrix link shows the step again.
    await p.locator('#p1-filters input[data-status="fail"]').uncheck();
    await p.locator('#domain-summary table.matrix a[href="#p1-step-run.create-training-job"]').click();
    const training = p.locator('[id="p1-step-run.create-training-job"]');
    await expect.poll(() => training.isVisible()).toBe(true);
    expect(await training.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    // Bob's training job passes: no link to it.
    expect(await p.locator('#domain-summary table.matrix a[href="#p2-step-run.create-training-job"]').count()).toBe(0);
    // A fix links to its change, in its own profile.
    const step = p.locator('[id="p2-step-run.events-assume-job-role"]');
    await step.locator('summary').click();
    expect(await step.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    const link = step.locator('a[href^="#p2-change-"]');
    const href = await link.getAttribute('href');
    await link.click();
    expect(new URL(p.url()).hash).toBe(href);
    expect(await p.locator(href!).isVisible()).toBe(true);
    expect(await p.locator(href!).evaluate((e) => e.closest('section.profile')?.id)).toBe('p2');
    await p.context().close();
  });

  it('runs nothing that a profile name carries', async () => {
    const { page: p, errors, dialogs, requests } = await open(evilPage);
    expect(await p.title()).toBe(TITLE);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(evilPage).href]);
    expect(await p.locator('img').count()).toBe(0);
    expect(await p.locator('script').count()).toBe(1);
    // The name is shown as text.
    expect(await p.locator('#p3 h2.profile-title').textContent()).toContain('<script>document.title=2</script>');
    await p.context().close();
  });

  it('reads without JavaScript: no filters, every step in <details>, links still navigate', async () => {
    const { page: p, requests } = await open(page, false);
    expect(requests).toEqual([pathToFileURL(page).href]);
    expect(await p.locator('#p1-filters').isVisible()).toBe(false);
    expect(await p.locator('#domain-summary').isVisible()).toBe(true);
    expect(await p.locator('#p1-all details.step').count()).toBeGreaterThan(10);
    await p.locator('#domain-summary table.matrix a[href="#p2-step-schedule.put-rule"]').click();
    expect(new URL(p.url()).hash).toBe('#p2-step-schedule.put-rule');
    await expect.poll(() => p.locator('[id="p2-step-schedule.put-rule"] > summary').isVisible()).toBe(true);
    await p.context().close();
  });
});
