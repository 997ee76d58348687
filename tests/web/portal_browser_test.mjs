// The public portal in a real browser (Debian's chromium, driven by
// puppeteer-core), checked against the public API it reads:
//   node portal_browser_test.mjs --base http://127.0.0.1:PORT --mode results --cycle ID --out DIR
//       [--awarded N --total N]
//   node portal_browser_test.mjs --base ... --mode countdown --cycle ID --out DIR
// "results": after a national simulation; "countdown": a cycle whose
// announcement is still to come. Every page at 360 px: axe-core finds no
// WCAG 2.2 AA violation, a screenshot is saved in DIR, no request leaves the
// origin. Prints what it measured; exits 1 on the first failed check.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '../../web');
const require = createRequire(join(webDir, 'package.json'));
const puppeteer = require('puppeteer-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const base = args.base;
const origin = new URL(base).origin;
const out = args.out;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const measured = {};

async function api(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined));
  const res = await fetch(`${base}/v1/${path}${q.size ? `?${q}` : ''}`);
  const body = await res.json();
  assert.ok(res.ok, `${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const idNumber = (hundredths) => new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  .format(Number(hundredths) / 100);

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--lang=id-ID'],
});
const page = await browser.newPage();
await page.setViewport({ width: 360, height: 800, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
await page.emulateTimezone('Asia/Jakarta');
const foreign = [];
const pageErrors = [];
page.on('request', (r) => {
  const url = r.url();
  if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) foreign.push(url);
});
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => {
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
});
// What the page asked for and did not get (the API's refusals it expects
// are caught by the page; these are listed to see which).
const failed = [];
page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`); });
const cdp = await page.createCDPSession();
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
let transferred = 0;
cdp.on('Network.loadingFinished', (e) => { transferred += e.encodedDataLength; });

// Waits until the page has replaced its "Memuat…" with what it shows.
async function settled() {
  await page.waitForFunction(() => !document.querySelector('[aria-busy]') && document.querySelector('main h1, main .notice'),
    { timeout: 20000 });
  const error = await page.$eval('main', (m) => m.querySelector('.error')?.textContent || '');
  assert.equal(error, '', `${page.url()} shows an error`);
}

async function open(path) {
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle0' });
  await settled();
}

const shots = [];
async function check(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  assert.deepEqual(violations, [], `axe on ${name} (${page.url()})`);
  const file = join(out, `${name}-360.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const text = (selector) => page.$eval(selector, (e) => e.textContent.replace(/\s+/g, ' ').trim());
const texts = (selector) => page.$$eval(selector, (all) => all.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));

async function results(cycleId) {
  const [summary, provila, all, blitarScore, blitarRank] = await Promise.all([
    api(`cycles/${cycleId}/predicateSummary`), api(`cycles/${cycleId}/provila`),
    api(`cycles/${cycleId}/ranking`, { pageSize: 600 }),
    api(`cycles/${cycleId}/regions/35.72/score`), api(`cycles/${cycleId}/regions/35.72/rank`)]);
  if (args.awarded) assert.equal(summary.awardedCount, Number(args.awarded));
  if (args.total) assert.equal(summary.regencyCount, Number(args.total));

  // Nasional: the count, the Provila list, the map; within the budget.
  transferred = 0;
  await open('/');
  measured.national_transfer_bytes = transferred;
  measured.first_contentful_paint_ms = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
  // The largest paint: the results themselves, not the "Memuat…" before them.
  measured.largest_contentful_paint_ms = await page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => resolve(list.getEntries().at(-1).startTime))
      .observe({ type: 'largest-contentful-paint', buffered: true });
  }));
  assert.ok(transferred <= 300 * 1024, `the national page transferred ${transferred} bytes (at most 300 KB)`);
  assert.equal(await text('main .lead'),
    `${summary.awardedCount} dari ${summary.regencyCount} kabupaten/kota meraih predikat`);
  const complete = (provila.provinces || []).filter((p) => p.complete).map((p) => p.province.name);
  const shown = await texts('ul.provila li');
  assert.deepEqual(shown, complete, 'the Provila list is the API\'s');
  assert.equal((await page.$$('.tilemap a.tile')).length, 38);
  // By keyboard: the skip link first, then into the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await check('nasional');

  // The Jawa Timur tile, by keyboard, leads to its province page.
  await page.focus('a.tile[href^="/provinsi/35"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.pathname === '/provinsi/35');
  await settled();
  assert.equal(await text('main h1'), 'Jawa Timur');
  const jatim = await api(`cycles/${cycleId}/ranking`, { provinceCode: '35', pageSize: 100 });
  assert.equal((await page.$$('main table tbody tr')).length, jatim.entries.length);
  await check('provinsi-35');

  // Kota Blitar: the API's score and ranks.
  await open('/daerah/35.72');
  const facts = await texts('.facts dd');
  assert.equal(facts[0], idNumber(blitarScore.score.total.hundredths));
  assert.equal(facts[2], `${blitarRank.entry.rank} dari ${blitarRank.nationalCount}`);
  assert.equal(facts[3], `${blitarRank.entry.provinceRank} dari ${blitarRank.provinceCount}`);
  assert.ok((await page.$$('#chart-clusters')).length === 1, 'the cluster chart is drawn');
  await check('daerah-35.72');
  // Side by side with two others.
  await open('/daerah/35.72?banding=35.05,35.71');
  const heads = await texts('table.compare thead th');
  const [kab, kediri] = await Promise.all([api('regions/35.05'), api('regions/35.71')]);
  assert.deepEqual(heads, ['Kota Blitar', kab.region.name, kediri.region.name]);
  await check('daerah-35.72-banding');

  // Peringkat: search, then province and predicate narrow the list.
  await open('/peringkat');
  const count = async () => Number((await text('main p[aria-live]')).split(' ')[0].replace(/\./g, ''));
  assert.equal(await count(), all.totalSize);
  await check('peringkat');
  const narrowed = async (params) => {
    await page.waitForFunction((q) => location.search.includes(q), {}, Object.values(params)[0]);
    await settled();
    const expected = await api(`cycles/${cycleId}/ranking`, { ...params, pageSize: 50 });
    assert.equal(await count(), expected.totalSize || 0, JSON.stringify(params));
    assert.deepEqual(await texts('main table tbody tr td:nth-child(2)'), (expected.entries || []).map((e) => e.region.name));
    return expected.totalSize || 0;
  };
  await page.type('input[name=q]', 'blitar');
  await page.keyboard.press('Enter');
  assert.ok(await narrowed({ nameQuery: 'blitar' }) < all.totalSize);
  await page.$eval('input[name=q]', (i) => { i.value = ''; });
  await page.select('select[name=provinsi]', '35');
  await page.click('form.filters button[type=submit]');
  const inJatim = await narrowed({ provinceCode: '35' });
  // The predicate Jawa Timur's best holds: some, not all, of its regions.
  const predicate = jatim.entries[0].predicate;
  await page.select('select[name=predikat]', predicate);
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction((p) => location.search.includes(p), {}, predicate);
  await settled();
  const same = await api(`cycles/${cycleId}/ranking`, { provinceCode: '35', predicate, pageSize: 50 });
  assert.equal(await count(), same.totalSize);
  assert.deepEqual(await texts('main table tbody tr td:nth-child(2)'), same.entries.map((e) => e.region.name));
  assert.ok(same.totalSize > 0 && same.totalSize < inJatim);

  // Pengumuman, and the same texts in the Atom feed.
  const announced = await api('announcements', { pageSize: 50, language: 'id' });
  await open('/pengumuman');
  assert.deepEqual(await texts('ol.announcements h2'), announced.announcements.map((a) => a.text.title));
  await check('pengumuman');
  const feed = await (await fetch(`${base}/feed.atom`)).text();
  const feedTitles = [...feed.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => m[1]
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&'));
  assert.deepEqual(feedTitles, announced.announcements.map((a) => a.text.title), 'the feed holds the announcements');
  assert.ok(feedTitles.length > 0);

  // Data terbuka: its links, and downloads equal to the API's data.
  await open('/data');
  assert.ok(await page.$(`a[href="/data/${cycleId}/peringkat.csv"]`));
  assert.ok(await page.$(`a[href="/data/${cycleId}/peringkat.json"]`));
  await check('data');
  const json = await (await fetch(`${base}/data/${cycleId}/peringkat.json`)).json();
  assert.deepEqual(json.entries, all.entries, 'the JSON download is the API\'s ranking');
  const csv = (await (await fetch(`${base}/data/${cycleId}/peringkat.csv`)).text()).trimEnd().split('\r\n');
  assert.equal(csv[0], 'siklus,peringkat,peringkat_provinsi,kode_wilayah,nama_wilayah,kode_provinsi,nama_provinsi,nilai,predikat');
  assert.equal(csv.length - 1, all.entries.length);
  csv.slice(1).forEach((line, i) => {
    const e = all.entries[i];
    const [siklus, rank, provinceRank, code, name, provinceCode, provinceName, score, predicate] = line.split(',');
    assert.deepEqual([siklus, Number(rank), Number(provinceRank), code, name, provinceCode, provinceName, Number(score), predicate],
      [cycleId, e.rank, e.provinceRank, e.region.code, e.region.name, e.province.code, e.province.name,
        Number(e.total.hundredths) / 100, e.predicate.replace('PREDICATE_', '')], `CSV line ${i + 2}`);
  });

  // English.
  await open('/');
  await page.click('header nav a[hreflang=en]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await settled();
  assert.equal(await text('main .lead'), `${summary.awardedCount} of ${summary.regencyCount} regencies and cities received an award`);
  assert.equal(await text('header nav a[aria-current=page]'), 'National');
  await check('national-en');
}

async function countdown(cycleId) {
  const { cycles } = await api('cycles', { pageSize: 100 });
  const cycle = cycles.find((c) => c.id === cycleId);
  assert.ok(cycle && Date.parse(cycle.announcementTime) > Date.now(), 'the cycle is still to be announced');
  for (const [name, path] of [['nasional', '/'], ['peringkat', '/peringkat'], ['provinsi-35', '/provinsi/35'],
    ['daerah-35.72', '/daerah/35.72']]) {
    await open(path);
    assert.match(await text('main .notice'), new RegExp(`diumumkan pada .* WIB`), path);
    for (const results of ['table', '.tilemap', '.facts', 'canvas']) {
      assert.equal(await page.$(`main ${results}`), null, `${path} shows ${results} before the announcement`);
    }
    await check(`${name}-hitung-mundur`);
  }
  await open('/data');
  assert.equal(await page.$('a[href^="/data/"]'), null, 'no download before the announcement');
  await check('data-hitung-mundur');
  const download = await fetch(`${base}/data/${cycleId}/peringkat.csv`);
  assert.ok(download.status >= 400 && download.status < 500, `the download before the announcement: ${download.status}`);
  const feed = await (await fetch(`${base}/feed.atom`)).text();
  assert.ok(feed.includes('<feed') && !feed.includes('<entry>'), 'the feed is empty before the announcement');
}

try {
  if (args.mode === 'results') await results(args.cycle);
  else if (args.mode === 'countdown') await countdown(args.cycle);
  else throw new Error(`--mode results|countdown, not ${args.mode}`);
  assert.deepEqual(foreign, [], 'requests to other origins');
  assert.deepEqual(pageErrors, [], 'errors in the page');
  measured.screenshots = shots.length;
  measured.refused_requests = [...new Set(failed)];
  assert.deepEqual(failed.filter((f) => !f.includes(' /v1/')), [], 'pages and files the portal lacks');
  writeFileSync(join(out, 'measured.json'), `${JSON.stringify(measured, null, 2)}\n`);
  console.log(`portal ${args.mode}: ok ${JSON.stringify(measured)} (screenshots in ${out})`);
} catch (e) {
  console.error(`portal ${args.mode}: FAILED at ${page.url()}\n${e.stack || e}`);
  await page.screenshot({ path: join(out, 'failure-360.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
