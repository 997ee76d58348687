// The public HTTP/JSON API, as any outsider calls it: no sign-in.
import { lang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.details = body?.details || [];
  }
  // The google.rpc.ErrorInfo reason, e.g. RESULTS_EMBARGOED.
  get reason() {
    return this.details.find((d) => d.reason)?.reason || '';
  }
}

export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== null) query.set(k, v);
  const url = `/v1/${path}${query.size ? `?${query}` : ''}`;
  const res = await fetch(url, { headers: { Accept: 'application/json', 'Accept-Language': lang } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// Every page of a listing (e.g. all 514 entries for the open data).
export async function all(path, params, field) {
  const out = [];
  let token = '';
  do {
    const page = await get(path, { ...params, pageToken: token });
    out.push(...(page[field] || []));
    token = page.nextPageToken || '';
  } while (token);
  return out;
}

// The cycles the public may see results of: announced ones newest first,
// and the next announcement still to come.
export async function cycles() {
  const { cycles: list = [] } = await get('cycles', { pageSize: 100 });
  const now = Date.now();
  const announced = [];
  let upcoming = null;
  for (const c of list) {
    const at = c.announcementTime ? Date.parse(c.announcementTime) : NaN;
    if (Number.isNaN(at)) continue;
    if (at <= now) announced.push(c);
    else if (!upcoming || at < Date.parse(upcoming.announcementTime)) upcoming = c;
  }
  announced.sort((a, b) => Date.parse(b.announcementTime) - Date.parse(a.announcementTime));
  return { announced, upcoming };
}
