// Bar charts (Chart.js, only the parts a bar chart needs). Each chart is
// drawn beside a table with the same numbers, so the chart is decoration
// for those who can see it and the table the text alternative.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { integer, percent } from './i18n.js';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, Tooltip);

// Okabe-Ito, distinguishable with the common colour-vision deficiencies.
export const palette = ['#999999', '#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7'];

const charts = new WeakMap();

export function bars(canvas, labels, values, colors) {
  charts.get(canvas)?.destroy();
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ data: values, backgroundColor: colors, borderColor: '#1a1a1a', borderWidth: 1 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => integer(c.parsed.y) } } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  charts.set(canvas, chart);
}

// Several regions side by side: one bar per region in each group, as a
// share (0-1) of the group's maximum; bars differ by pattern-free colour
// and order, and the legend and the table beside it name them.
export function groupedBars(canvas, labels, series) {
  charts.get(canvas)?.destroy();
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: palette[(i + 4) % palette.length],
        borderColor: '#1a1a1a', borderWidth: 1 })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { legend: { display: series.length > 1, position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${percent(c.parsed.x)}` } } },
      scales: { x: { min: 0, max: 1, ticks: { callback: (v) => percent(v) } } },
    },
  });
  charts.set(canvas, chart);
}
