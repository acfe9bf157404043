// The console's usage charts: the page's tables are the figures; this
// draws the same series (fetched from the page's JSON API address) with
// uPlot: connections, traffic with the delivery rate, and p50/p99 latency.
import uPlot from '../vendor/uplot-1.6.32/uPlot.esm.js';

function cssColor(name) {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c;
}

async function main() {
  const box = document.querySelector('[data-usage-charts]');
  if (!box) return;
  const res = await fetch(box.dataset.url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) return;
  const s = await res.json();
  if (!s.t || s.t.length === 0) return;
  const l = box.dataset;
  const num = new Intl.NumberFormat(l.lang === 'zh' ? 'zh-CN' : 'en', { notation: 'compact', maximumFractionDigits: 1 });
  const fg = cssColor('--muted');
  const grid = cssColor('--line');
  const axis = (o) => ({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: (u, v) => v.map((x) => num.format(x)), ...o });
  const width = () => Math.max(280, box.clientWidth || 600);
  const chart = (title, scales, axes, series, data) => {
    const el = document.createElement('div');
    el.className = 'console-chart';
    box.append(el);
    return new uPlot({ title, width: width(), height: 220, scales, axes: [{ stroke: fg, grid: { stroke: grid, width: 1 } }, ...axes], series: [{}, ...series] }, [s.t, ...data], el);
  };
  const pct = s.delivery_rate.map((r) => (r == null ? null : r * 100));
  const charts = [
    chart(l.lConns, {}, [axis({})], [{ label: l.lPeak, stroke: cssColor('--accent'), width: 2 }], [s.peak_connections]),
    chart(l.lTraffic, { rate: { range: [0, 100] } }, [axis({}), axis({ scale: 'rate', side: 1, values: (u, v) => v.map((x) => x + '%') })], [
      { label: l.lPublishes, stroke: cssColor('--muted'), width: 2 },
      { label: l.lDeliveries, stroke: cssColor('--accent'), width: 2 },
      { label: l.lRate, scale: 'rate', stroke: cssColor('--ok'), width: 2 },
      { label: l.lErrors, stroke: cssColor('--bad'), width: 1.5 },
    ], [s.publishes, s.deliveries, pct, s.errors]),
    chart(l.lLatency, {}, [axis({ label: 'ms' })], [
      { label: 'p50 (ms)', stroke: cssColor('--accent'), width: 2 },
      { label: 'p99 (ms)', stroke: cssColor('--bad'), width: 2 },
    ], [s.p50_ms, s.p99_ms]),
  ];
  box.dataset.drawn = String(charts.length);
  window.addEventListener('resize', () => { for (const c of charts) c.setSize({ width: width(), height: 220 }); });
}

main();
