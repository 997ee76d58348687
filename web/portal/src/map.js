// The tile-grid map: one tile per province, placed as
// provinces-grid.json says, coloured by its share of awarded kab/kota
// (a sequential scale) and labelled with it, Provila starred. Tiles are
// links, so the map is used by keyboard like the rest of the page.
import { html } from 'lit-html';
import grid from '../provinces-grid.json';
import { percent, t } from './i18n.js';

// Six steps light to dark (app.css .s0-.s5).
const steps = 6;

export function tileMap(provinces, href) {
  const byCode = new Map(provinces.map((p) => [p.province.code, p]));
  const tiles = grid.tiles.map((tile) => {
    const p = byCode.get(tile.code);
    const share = p && p.regencyCount ? (p.awardedCount || 0) / p.regencyCount : 0;
    const step = Math.min(steps - 1, Math.floor(share * (steps - 1) + 0.5));
    const name = p?.province.name || tile.abbr;
    const provila = p?.complete ? `, ${t('provila')}` : '';
    // The accessible name is the tile's own text, the full name and the
    // share included (hidden visually on the small tile).
    // Positions and colours are classes (app.css): the CSP allows no inline style.
    return html`<a class="tile s${step} c${tile.col} r${tile.row}" href=${href(tile.code)} title=${`${name}: ${percent(share)}`}
      ><span class="abbr">${tile.abbr}${p?.complete ? '★' : ''}</span><span class="sr"> ${name}:</span>
      <span class="pct">${percent(share)}</span><span class="sr"> ${t('awarded')}${provila}</span></a>`;
  });
  return html`<div class="scroll"><div class="tilemap">${tiles}</div></div>
    <div class="legend" aria-hidden="true">0 % ${[0, 1, 2, 3, 4, 5].map((s) => html`<span class="s${s}"></span>`)} 100 %</div>`;
}
