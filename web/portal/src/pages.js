// The portal's pages. Each reads the public API and returns a lit-html
// template; main.js renders it and runs `after` (charts) once it is in
// the page.
import { html, nothing } from 'lit-html';
import { ApiError, cycles, get } from './api.js';
import { bars, groupedBars, palette } from './chart.js';
import { integer, lang, percent, points, predicateLevel, predicateName, predicates, t, wib } from './i18n.js';
import { tileMap } from './map.js';

// A link inside the portal, keeping the language and the cycle.
export function href(path, params = {}) {
  const q = new URLSearchParams();
  if (lang === 'en') q.set('lang', 'en');
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `${path}${q.size ? `?${q}` : ''}`;
}

const predicateCell = (p) =>
  html`<span class="pred p${predicateLevel(p)}">${predicateName(p)}</span>`;

function countdown(cycle) {
  const left = Math.max(0, Date.parse(cycle.announcementTime) - Date.now());
  const d = Math.floor(left / 86400000);
  const h = Math.floor((left % 86400000) / 3600000);
  const m = Math.floor((left % 3600000) / 60000);
  return html`<section class="notice" aria-live="polite">
    <p>${t('countdown', { cycle: cycle.name, time: wib(cycle.announcementTime) })}</p>
    <p class="left">${t('countdown_left', { d, h, m })}</p></section>`;
}

// The announced cycle a page shows (?siklus=, else the latest), and the
// notice of an announcement still to come.
async function chooseCycle(params) {
  const { announced, upcoming } = await cycles();
  const wanted = params.get('siklus');
  const cycle = announced.find((c) => c.id === wanted) || announced[0] || null;
  return { cycle, announced, upcoming };
}

function cyclePicker(announced, cycle, path) {
  if (announced.length < 2) return nothing;
  return html`<form class="picker" method="get" action=${path}>
    <label for="siklus">${t('cycle')}</label>
    <select id="siklus" name="siklus">${announced.map(
      (c) => html`<option value=${c.id} ?selected=${c.id === cycle.id}>${c.name}</option>`)}</select>
    ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : nothing}
    <button type="submit">${t('apply')}</button></form>`;
}

function rankingTable(entries, caption, withProvince = true) {
  return html`<div class="scroll"><table><caption>${caption}</caption>
    <thead><tr><th scope="col">${t('rank')}</th><th scope="col">${t('region')}</th>
      ${withProvince ? html`<th scope="col">${t('province')}</th>` : nothing}
      <th scope="col" class="num">${t('score')}</th><th scope="col">${t('predicate')}</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr><td class="num">${e.rank}</td>
      <td><a href=${href(`/daerah/${e.region.code}`)}>${e.region.name}</a></td>
      ${withProvince ? html`<td><a href=${href(`/provinsi/${e.province.code}`)}>${e.province.name}</a></td>` : nothing}
      <td class="num">${points(e.total)}</td><td>${predicateCell(e.predicate)}</td></tr>`)}</tbody></table></div>`;
}

// Counts per predicate as a chart and a table (its text alternative).
function predicateChart(counts, id) {
  const order = [...predicates].reverse(); // KLA first
  const byPred = new Map(counts.map((c) => [c.predicate, c.count || 0]));
  const rows = order.map((p) => ({ p, n: byPred.get(p) || 0 }));
  return {
    view: html`<div class="chart-pair"><div class="chart" aria-hidden="true"><canvas id=${id}></canvas></div>
      <table><caption>${t('per_predicate')}</caption><thead><tr><th scope="col">${t('predicate')}</th>
      <th scope="col" class="num">${t('count')}</th></tr></thead><tbody>${rows.map(
        (r) => html`<tr><td>${predicateCell(r.p)}</td><td class="num">${integer(r.n)}</td></tr>`)}</tbody></table></div>`,
    draw: () => bars(document.getElementById(id), rows.map((r) => predicateName(r.p)), rows.map((r) => r.n),
      rows.map((r) => palette[predicateLevel(r.p)])),
  };
}

export async function national(params) {
  const { cycle, announced, upcoming } = await chooseCycle(params);
  if (!cycle) return { title: t('nav_national'), view: upcoming ? countdown(upcoming) : html`<p>${t('none_announced')}</p>` };
  const id = cycle.id;
  const [summary, provila, top, changes] = await Promise.all([
    get(`cycles/${id}/predicateSummary`), get(`cycles/${id}/provila`), get(`cycles/${id}/ranking`, { pageSize: 10 }),
    get(`cycles/${id}/predicateChanges`, { pageSize: 600 })]);
  const chart = predicateChart(summary.counts || [], 'chart-national');
  const provinces = provila.provinces || [];
  const complete = provinces.filter((p) => p.complete);
  const list = (changes.changes || []);
  const change = (c) => html`<li><a href=${href(`/daerah/${c.region.code}`)}>${c.region.name}</a>
    (${c.province.name}): ${predicateName(c.previousPredicate)} → ${predicateName(c.predicate)}</li>`;
  const view = html`
    ${upcoming ? countdown(upcoming) : nothing}
    <h1>${cycle.name}</h1>
    ${cyclePicker(announced, cycle, '/')}
    <p class="lead">${t('awarded_of', { awarded: integer(summary.awardedCount || 0), total: integer(summary.regencyCount || 0) })}</p>
    <section><h2>${t('per_predicate')}</h2>${chart.view}</section>
    <section><h2>${t('map')}</h2><p class="hint">${t('map_hint')}</p>
      ${tileMap(provinces, (code) => href(`/provinsi/${code}`, { siklus: params.get('siklus') }))}</section>
    <section><h2>${t('provila')}</h2>${complete.length
      ? html`<ul class="provila">${complete.map((p) => html`<li><a href=${href(`/provinsi/${p.province.code}`)}>${p.province.name}</a></li>`)}</ul>`
      : html`<p>${t('provila_none')}</p>`}</section>
    <section><h2>${t('top')}</h2>${rankingTable(top.entries || [], t('top'))}
      <p><a href=${href('/peringkat', { siklus: params.get('siklus') })}>${t('whole_ranking')}</a></p></section>
    <section><h2>${changes.previousCycleId ? t('changes', { previous: changes.previousCycleId }) : t('changes_title')}</h2>
      ${!changes.previousCycleId ? html`<p>${t('no_previous')}</p>` : list.length === 0 ? html`<p>${t('no_changes')}</p>` : html`
      <div class="columns"><div><h3>${t('up')} (${integer(changes.upCount || 0)})</h3>
        <ul>${list.filter((c) => predicateLevel(c.predicate) > predicateLevel(c.previousPredicate)).map(change)}</ul></div>
      <div><h3>${t('down')} (${integer(changes.downCount || 0)})</h3>
        <ul>${list.filter((c) => predicateLevel(c.predicate) < predicateLevel(c.previousPredicate)).map(change)}</ul></div></div>`}
    </section>`;
  return { title: cycle.name, view, after: chart.draw };
}

export async function ranking(params) {
  const { cycle, announced, upcoming } = await chooseCycle(params);
  if (!cycle) return { title: t('nav_ranking'), view: upcoming ? countdown(upcoming) : html`<p>${t('none_announced')}</p>` };
  const filters = {
    provinceCode: params.get('provinsi') || '', predicate: params.get('predikat') || '',
    regionLevel: params.get('jenis') || '', nameQuery: params.get('q') || '', orderBy: params.get('urut') || '',
  };
  const [{ regions: provinces = [] }, page] = await Promise.all([
    get('regions', { level: 'REGION_LEVEL_PROVINCE', pageSize: 100 }),
    get(`cycles/${cycle.id}/ranking`, { ...filters, pageSize: 50, pageToken: params.get('hal') || '' })]);
  const select = (name, label, value, options) => html`<label>${label}<select name=${name}>
    <option value="">${t('all')}</option>${options.map(([v, text]) => html`<option value=${v} ?selected=${v === value}>${text}</option>`)}
    </select></label>`;
  const view = html`<h1>${t('nav_ranking')}: ${cycle.name}</h1>
    <form class="filters" method="get" action="/peringkat" role="search">
      ${announced.length > 1 ? html`<input type="hidden" name="siklus" value=${cycle.id}>` : nothing}
      ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : nothing}
      <label>${t('search')}<input type="search" name="q" maxlength="64" .value=${filters.nameQuery}></label>
      ${select('provinsi', t('province'), filters.provinceCode, provinces.map((p) => [p.code, p.name]))}
      ${select('predikat', t('predicate'), filters.predicate, [...predicates].reverse().map((p) => [p, predicateName(p)]))}
      ${select('jenis', t('kind'), filters.regionLevel, [['REGION_LEVEL_KABUPATEN', t('kabupaten')], ['REGION_LEVEL_KOTA', t('kota')]])}
      <label>${t('sort')}<select name="urut">${[['', t('by_rank')], ['rank desc', t('by_rank_desc')], ['name', t('by_name')], ['name desc', t('by_name_desc')]]
        .map(([v, text]) => html`<option value=${v} ?selected=${v === filters.orderBy}>${text}</option>`)}</select></label>
      <button type="submit">${t('apply')}</button></form>
    <p aria-live="polite">${integer(page.totalSize || 0)} ${t('region').toLowerCase()}</p>
    ${rankingTable(page.entries || [], t('nav_ranking'))}
    <nav class="pager" aria-label=${t('nav_ranking')}>
      ${params.get('hal') ? html`<a href=${href('/peringkat', { ...Object.fromEntries(params), hal: '', lang: '' })}>${t('prev')}</a>` : nothing}
      ${page.nextPageToken ? html`<a rel="next" href=${href('/peringkat', { ...Object.fromEntries(params), hal: page.nextPageToken, lang: '' })}>${t('next')}</a>` : nothing}
    </nav>`;
  return { title: `${t('nav_ranking')} ${cycle.name}`, view };
}

export async function province(code, params) {
  const { cycle, upcoming } = await chooseCycle(params);
  const { region } = await get(`regions/${code}`);
  if (!cycle) return { title: region.name, view: html`<h1>${region.name}</h1>${upcoming ? countdown(upcoming) : nothing}` };
  const [page, provila] = await Promise.all([
    get(`cycles/${cycle.id}/ranking`, { provinceCode: code, pageSize: 100 }), get(`cycles/${cycle.id}/provila`)]);
  const mine = (provila.provinces || []).find((p) => p.province.code === code);
  const entries = (page.entries || []).map((e) => ({ ...e, rank: e.provinceRank }));
  const view = html`<h1>${region.name}</h1><p class="lead">${cycle.name}</p>
    ${mine ? html`<p>${mine.complete ? t('complete') : `${t('missing')}: ${integer(mine.missing?.length || 0)}`}</p>
      ${mine.missing?.length ? html`<ul class="missing">${mine.missing.map((r) => html`<li><a href=${href(`/daerah/${r.code}`)}>${r.name}</a></li>`)}</ul>` : nothing}` : nothing}
    ${rankingTable(entries, `${t('province_rank')}: ${region.name}`, false)}`;
  return { title: `${region.name}: ${cycle.name}`, view };
}

// One region's facts in `cycle`: its score explained and its ranks (null
// where it was not scored).
async function regionFacts(cycle, code) {
  const { region } = await get(`regions/${code}`);
  if (!cycle) return { region, score: null, rank: null };
  const quiet = (e) => (e instanceof ApiError ? null : Promise.reject(e));
  const [score, rank] = await Promise.all([
    get(`cycles/${cycle.id}/regions/${code}/score`, { view: 'SCORE_VIEW_EXPLAINED' }).catch(quiet),
    get(`cycles/${cycle.id}/regions/${code}/rank`).catch(quiet)]);
  return { region, score: score?.score || null, rank };
}

// The regions ?banding= names (at most 3, the page's own left out).
function comparedCodes(params, own) {
  const codes = (params.get('banding') || '').split(',').filter((c) => /^\d{2}\.\d{2}$/.test(c) && c !== own);
  return [...new Set(codes)].slice(0, 3);
}

const share = (earned, possible) => (Number(possible?.hundredths) ? Number(earned?.hundredths || 0) / Number(possible.hundredths) : 0);

function factsView(f) {
  const s = f.score;
  if (!s) return nothing;
  return html`<dl class="facts"><div><dt>${t('score')}</dt><dd>${points(s.total)}</dd></div>
    <div><dt>${t('predicate')}</dt><dd>${predicateCell(s.predicate)}</dd></div>
    ${f.rank ? html`<div><dt>${t('national_rank')}</dt><dd>${f.rank.entry.rank} <small>${t('of', { n: f.rank.nationalCount })}</small></dd></div>
    <div><dt>${t('province_rank')}</dt><dd>${f.rank.entry.provinceRank} <small>${t('of', { n: f.rank.provinceCount })}</small></dd></div>` : nothing}</dl>`;
}

// Side by side: the facts and each cluster's points of every region.
function comparisonTable(all, link) {
  const clusters = all[0].score?.clusters || [];
  const cell = (f, value) => (f.score ? value(f) : t('not_ranked'));
  const row = (label, value) => html`<tr><th scope="row">${label}</th>${all.map((f) => html`<td class="num">${cell(f, value)}</td>`)}</tr>`;
  return html`<div class="scroll"><table class="compare"><caption>${t('compare')}</caption>
    <thead><tr><td></td>${all.map((f, i) => html`<th scope="col">${i === 0 ? f.region.name
      : html`<a href=${link(f.region.code)}>${f.region.name}</a>`}</th>`)}</tr></thead>
    <tbody>${row(t('score'), (f) => points(f.score.total))}${row(t('predicate'), (f) => predicateCell(f.score.predicate))}
      ${row(t('national_rank'), (f) => (f.rank ? f.rank.entry.rank : '–'))}${row(t('province_rank'), (f) => (f.rank ? f.rank.entry.provinceRank : '–'))}
      ${clusters.map((c, k) => row(c.name, (f) => {
        const mine = f.score.clusters?.[k];
        return mine ? `${points(mine.earned)} / ${points(mine.possible)}` : '–';
      }))}</tbody></table></div>`;
}

function clusterTable(s) {
  return html`<div class="scroll"><table><caption>${t('clusters')}</caption><thead><tr><th scope="col">${t('cluster')}</th>
    <th scope="col" class="num">${t('score')}</th><th scope="col" class="num">%</th></tr></thead>
    <tbody>${(s.clusters || []).map((c) => html`<tr><td>${c.name}</td>
      <td class="num">${points(c.earned)} / ${points(c.possible)}</td><td class="num">${percent(share(c.earned, c.possible))}</td></tr>`)}</tbody></table></div>`;
}

function indicatorTable(s) {
  return html`<div class="scroll"><table><caption>${t('indicators')}</caption><thead><tr><th scope="col">#</th><th scope="col">${t('indicator')}</th>
    <th scope="col" class="num">${t('score')}</th></tr></thead>
    <tbody>${(s.indicators || []).map((i) => html`<tr><td class="num">${i.number}</td><td>${i.name}</td>
      <td class="num">${points(i.earned)} / ${points(i.possible)}</td></tr>`)}</tbody></table></div>`;
}

function historyTable(region, entries) {
  if (!entries.length) return nothing;
  return html`<section><h2>${t('history')}</h2><div class="scroll"><table><caption>${region.name}</caption>
    <thead><tr><th scope="col">${t('cycle')}</th><th scope="col">${t('predicate')}</th><th scope="col" class="num">${t('score')}</th></tr></thead>
    <tbody>${entries.map((h) => html`<tr><td>${h.cycleName || h.cycleId}</td><td>${predicateCell(h.predicate)}</td>
      <td class="num">${h.total ? points(h.total) : '–'}</td></tr>`)}</tbody></table></div></section>`;
}

// The form that finds regions to compare, and what it found.
function compareForm(code, cycle, compared, params, found) {
  const others = compared.map((f) => f.region.code);
  const keep = (list) => ({ banding: list.join(','), siklus: params.get('siklus') });
  const candidates = (found?.entries || []).filter((e) => e.region.code !== code && !others.includes(e.region.code));
  return html`<section class="compare-form"><h2>${t('compare_with')}</h2>
    ${others.length >= 3 ? html`<p>${t('compare_full')}</p>` : html`
    <form class="picker" method="get" action=${`/daerah/${code}`} role="search">
      ${others.length ? html`<input type="hidden" name="banding" value=${others.join(',')}>` : nothing}
      ${params.get('siklus') ? html`<input type="hidden" name="siklus" value=${cycle.id}>` : nothing}
      ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : nothing}
      <label>${t('compare_search')}<input type="search" name="cari" maxlength="64" .value=${params.get('cari') || ''}></label>
      <button type="submit">${t('search')}</button></form>
    ${found ? (candidates.length ? html`<ul class="candidates">${candidates.map((e) => html`<li>
      <a href=${href(`/daerah/${code}`, keep([...others, e.region.code]))}>${t('compare_add', { name: e.region.name })}</a>
      (${e.province.name})</li>`)}</ul>` : html`<p>${t('compare_none')}</p>`) : nothing}`}
    ${compared.length ? html`<ul class="candidates">${compared.map((f) => html`<li>
      <a href=${href(`/daerah/${code}`, keep(others.filter((x) => x !== f.region.code)))}>${t('compare_remove', { name: f.region.name })}</a></li>`)}</ul>` : nothing}
  </section>`;
}

export async function regionPage(code, params) {
  const { cycle, upcoming } = await chooseCycle(params);
  const others = comparedCodes(params, code);
  const query = params.get('cari');
  const [main, history, found, ...rest] = await Promise.all([
    regionFacts(cycle, code),
    get(`regions/${code}/scoreHistory`).catch(() => ({ entries: [] })),
    cycle && query ? get(`cycles/${cycle.id}/ranking`, { nameQuery: query.slice(0, 64), pageSize: 10 }) : null,
    ...others.map((c) => regionFacts(cycle, c).catch(() => null))]);
  const compared = rest.filter(Boolean);
  const all = [main, ...compared];
  const { region } = main;
  const s = main.score;
  const scored = all.filter((f) => f.score);
  // Short labels on the chart ("Klaster I"); the tables beside it give the full names.
  const clusterNames = (s?.clusters || []).map((c) => c.name.split(':')[0]);
  const draw = () => s && groupedBars(document.getElementById('chart-clusters'), clusterNames, scored.map((f) => ({
    label: f.region.name, data: clusterNames.map((_, k) => share(f.score.clusters?.[k]?.earned, f.score.clusters?.[k]?.possible)) })));
  const view = html`<h1>${region.name}</h1><p class="lead"><a href=${href(`/provinsi/${region.province.code}`)}>${region.province.name}</a>
    · ${region.code}${cycle ? html` · ${cycle.name}` : nothing}</p>
    ${upcoming ? countdown(upcoming) : nothing}
    ${factsView(main)}
    ${cycle && !s ? html`<p>${t('not_ranked')}</p>` : nothing}
    ${s ? html`<section><h2>${t('cluster_chart')}</h2><div class="chart tall" aria-hidden="true"><canvas id="chart-clusters"></canvas></div>
      ${compared.length ? comparisonTable(all, (c) => href(`/daerah/${c}`, { siklus: params.get('siklus') })) : clusterTable(s)}</section>
      <section><h2>${t('indicators')}</h2>${indicatorTable(s)}</section>` : nothing}
    ${cycle ? compareForm(code, cycle, compared, params, found) : nothing}
    ${historyTable(region, history.entries || [])}`;
  return { title: region.name, view, after: draw };
}

export { percent };

export async function announcements(params) {
  const [{ regions: provinces = [] }, page] = await Promise.all([
    get('regions', { level: 'REGION_LEVEL_PROVINCE', pageSize: 100 }),
    get('announcements', {
      regionCode: params.get('provinsi') || '', language: lang, pageSize: 50, pageToken: params.get('hal') || '',
    })]);
  const chosen = params.get('provinsi') || '';
  const view = html`<h1>${t('nav_announcements')}</h1>
    <p><a href=${href('/feed.atom')} type="application/atom+xml">${t('feed')}</a></p>
    <form class="picker" method="get" action="/pengumuman">
      ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : nothing}
      <label for="provinsi">${t('province')}</label>
      <select id="provinsi" name="provinsi"><option value="">${t('all')}</option>${provinces.map(
        (p) => html`<option value=${p.code} ?selected=${p.code === chosen}>${p.name}</option>`)}</select>
      <button type="submit">${t('apply')}</button></form>
    ${(page.announcements || []).length === 0 ? html`<p>${t('no_announcements')}</p>` : html`
    <ol class="announcements">${page.announcements.map((a) => html`<li><article>
      <h2>${a.region ? html`<a href=${href(`/daerah/${a.region.code}`)}>${a.text.title}</a>` : a.text.title}</h2>
      <p><time datetime=${a.publishTime}>${wib(a.publishTime)}</time></p><p>${a.text.body}</p></article></li>`)}</ol>`}
    <nav class="pager" aria-label=${t('nav_announcements')}>
      ${page.nextPageToken ? html`<a rel="next" href=${href('/pengumuman', { provinsi: chosen, hal: page.nextPageToken })}>${t('next')}</a>` : nothing}
    </nav>`;
  return { title: t('nav_announcements'), view };
}

const DATA_COLUMNS = ['siklus', 'peringkat', 'peringkat_provinsi', 'kode_wilayah', 'nama_wilayah', 'kode_provinsi',
  'nama_provinsi', 'nilai', 'predikat'];

export async function openData() {
  const { announced } = await cycles();
  const link = (c, kind) => html`<a href=${`/data/${c.id}/peringkat.${kind}`} download>${kind.toUpperCase()}<span class="sr"> ${c.name}</span></a>`;
  const view = html`<h1>${t('nav_data')}</h1><p class="lead">${t('data_intro')}</p>
    <section><h2>${t('downloads')}</h2>${announced.length === 0 ? html`<p>${t('no_data')}</p>` : html`
      <div class="scroll"><table><caption>${t('downloads')}</caption><thead><tr><th scope="col">${t('cycle')}</th>
        <th scope="col">${t('rank')}</th></tr></thead>
        <tbody>${announced.map((c) => html`<tr><td>${c.name} <small>(${c.id})</small></td>
          <td class="data-links">${link(c, 'csv')} ${link(c, 'json')}</td></tr>`)}</tbody></table></div>`}
      <p>${t('data_note')}</p></section>
    <section><h2>${t('dictionary')}</h2><div class="scroll"><table><caption>${t('dictionary')} (CSV)</caption>
      <thead><tr><th scope="col">${t('column')}</th><th scope="col">${t('meaning')}</th></tr></thead>
      <tbody>${DATA_COLUMNS.map((c) => html`<tr><td><code>${c}</code></td><td>${t(`d_${c}`)}</td></tr>`)}</tbody></table></div></section>
    <section><h2>${t('licence')}</h2><p>${t('licence_text')}
      <a href="https://creativecommons.org/licenses/by/4.0/deed.id" rel="license">Creative Commons Atribusi 4.0 Internasional (CC BY 4.0)</a>.</p></section>
    <section><h2>${t('api_title')}</h2><p>${t('api_text')}</p>
      <ul><li><a href="/openapi.json">OpenAPI 3.1 (openapi.json)</a></li><li><a href="/docs/api/">${t('reference')}</a></li>
      <li><a href=${href('/feed.atom')} type="application/atom+xml">${t('feed')}</a></li></ul></section>`;
  return { title: t('nav_data'), view };
}
