// The public results portal: a router over the shareable URLs, the
// header with the language switch, and the page in between.
import { html, render } from 'lit-html';
import { lang, setLang, t } from './i18n.js';
import { announcements, href, national, openData, province, ranking, regionPage } from './pages.js';

const routes = [
  [/^\/$/, (m, p) => national(p), 'nav_national'],
  [/^\/peringkat$/, (m, p) => ranking(p), 'nav_ranking'],
  [/^\/provinsi\/(\d{2})$/, (m, p) => province(m[1], p), 'nav_national'],
  [/^\/daerah\/(\d{2}\.\d{2})$/, (m, p) => regionPage(m[1], p), 'nav_ranking'],
  [/^\/pengumuman$/, (m, p) => announcements(p), 'nav_announcements'],
  [/^\/data$/, () => openData(), 'nav_data'],
];

function header(active) {
  const params = new URLSearchParams(location.search);
  params.set('lang', t('switch_lang_code'));
  if (params.get('lang') === 'id') params.delete('lang');
  const other = `${location.pathname}${params.size ? `?${params}` : ''}`;
  const link = (path, key) => html`<a href=${href(path)} aria-current=${active === key ? 'page' : 'false'}>${t(key)}</a>`;
  return html`<a class="skip" href="#main">${lang === 'en' ? 'Skip to content' : 'Langsung ke isi'}</a>
    <header><div class="brand"><a href=${href('/')}>${t('site')}</a><small>${t('ministry')}</small></div>
    <nav aria-label=${lang === 'en' ? 'Main' : 'Utama'}>${link('/', 'nav_national')}${link('/peringkat', 'nav_ranking')}${link('/pengumuman', 'nav_announcements')}${link('/data', 'nav_data')}
      <a href=${other} lang=${t('switch_lang_code')} hreflang=${t('switch_lang_code')}>${t('switch_lang')}</a></nav></header>`;
}

async function show() {
  const params = new URLSearchParams(location.search);
  setLang(params.get('lang'));
  const route = routes.find(([re]) => re.test(location.pathname));
  const root = document.getElementById('app');
  const frame = (active, body) => html`${header(active)}<main id="main" tabindex="-1">${body}</main>
    <footer><p>${t('ministry')} · <a href="/docs/api/">API</a> · <a href="/openapi.json">OpenAPI</a></p></footer>`;
  if (!route) {
    render(frame('', html`<h1>404</h1>`), root);
    return;
  }
  const [re, page, active] = route;
  render(frame(active, html`<p aria-busy="true">${t('loading')}</p>`), root);
  try {
    const result = await page(location.pathname.match(re), params);
    document.title = `${result.title} · ${t('site')}`;
    render(frame(active, result.view), root);
    result.after?.();
  } catch (e) {
    render(frame(active, html`<p class="error" role="alert">${t('error', { message: e.message })}</p>`), root);
  }
}

// Links inside the portal change the page without reloading it.
document.addEventListener('click', (event) => {
  const a = event.target.closest('a');
  if (!a || a.origin !== location.origin || a.target || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (!routes.some(([re]) => re.test(a.pathname))) return;
  // A link to a part of this page (the skip link) is the browser's to follow.
  if (a.hash && a.pathname === location.pathname && a.search === location.search) return;
  event.preventDefault();
  history.pushState(null, '', a.href);
  show().then(() => document.getElementById('main')?.focus());
});
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form.method !== 'get') return;
  event.preventDefault();
  const q = new URLSearchParams(new FormData(form));
  for (const [k, v] of [...q]) if (!v) q.delete(k);
  history.pushState(null, '', `${form.getAttribute('action')}${q.size ? `?${q}` : ''}`);
  show();
});
window.addEventListener('popstate', show);
show();
