// The load-test charts, live on the sandbox page and from the stored report
// on its permalink page: latency (p50, p99 and the SLA's p99 target as a
// dashed line) and sent vs delivered, each on its own y axis (delivered is
// the fan-out, many times the sent count). Colours come from the page's
// theme; axis labels are compact numbers ("12K") sized to fit.
import uPlot from '../vendor/uplot-1.6.32/uPlot.esm.js';

/** cssColor resolves a colour custom property (a light-dark() pair) to rgb. */
function cssColor(name) {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c;
}

export function mountCharts(latEl, delEl, { t, lang, slaP99Ms }) {
  const num = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en', { notation: 'compact', maximumFractionDigits: 1 });
  const fg = cssColor('--muted');
  const grid = cssColor('--line');
  const axis = (o) => ({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, ...o });
  const yValues = (u, vals) => vals.map((v) => num.format(v));
  const width = (el) => Math.max(280, el.clientWidth || 480);
  const xAxis = axis({ label: t('lt_axis_seconds'), size: 44 });

  latEl.replaceChildren();
  delEl.replaceChildren();
  const lat = new uPlot({
    title: t('lt_chart_latency'), width: width(latEl), height: 240,
    scales: { x: { time: false }, ms: { range: (u, min, max) => [0, Math.max(max, slaP99Ms || 0) * 1.1 || 1] } },
    axes: [xAxis, axis({ scale: 'ms', label: 'ms', values: yValues })],
    series: [{ label: 's' },
      { label: 'p50 (ms)', scale: 'ms', stroke: cssColor('--accent'), width: 2 },
      { label: 'p99 (ms)', scale: 'ms', stroke: cssColor('--bad'), width: 2 },
      { label: t('lt_sla_target', { ms: slaP99Ms }), scale: 'ms', stroke: cssColor('--muted'), width: 1.5, dash: [6, 4], points: { show: false } }],
  }, [[], [], [], []], latEl);
  const del = new uPlot({
    title: t('lt_chart_delivery'), width: width(delEl), height: 240,
    scales: { x: { time: false }, sent: { range: (u, min, max) => [0, max * 1.1 || 1] }, delivered: { range: (u, min, max) => [0, max * 1.1 || 1] } },
    axes: [xAxis,
      axis({ scale: 'sent', label: t('lt_sent'), values: yValues }),
      axis({ scale: 'delivered', label: t('lt_delivered'), values: yValues, side: 1, grid: { show: false } })],
    series: [{ label: 's' },
      { label: t('lt_sent'), scale: 'sent', stroke: cssColor('--warn'), width: 2 },
      { label: t('lt_delivered'), scale: 'delivered', stroke: cssColor('--ok'), width: 2 }],
  }, [[], [], []], delEl);

  return {
    /** plots are the uPlot instances (latency, delivery). */
    plots: [lat, del],
    /** show draws the samples ({t, sent, delivered, p50_ms, p99_ms}). */
    show(samples) {
      const xs = samples.map((s) => s.t);
      lat.setData([xs, samples.map((s) => s.p50_ms), samples.map((s) => s.p99_ms), xs.map(() => slaP99Ms)]);
      del.setData([xs, samples.map((s) => s.sent), samples.map((s) => s.delivered)]);
    },
  };
}
