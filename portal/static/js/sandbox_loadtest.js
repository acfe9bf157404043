// The load-test panel of the full-page sandbox: starts a run on the server,
// follows its progress over Server-Sent Events with live charts
// (sandbox_charts.js), and shows the final report with
// its permalink and downloads.
import { h } from './sandbox_base.js';
import { mountCharts } from './sandbox_charts.js';
import { formatDuration } from './duration.js';

export function mountLoadTest(sb) {
  const form = document.getElementById('loadtest-form');
  const status = document.getElementById('loadtest-status');
  const out = document.getElementById('loadtest-report');
  const latEl = document.getElementById('chart-latency');
  const delEl = document.getElementById('chart-delivery');
  if (!form) return;
  const t = sb.t.bind(sb);
  let es = null;
  // No app, no users to load-test with: Start waits for one.
  const startBtn = form.querySelector('button[type=submit]');
  startBtn.disabled = !sb.app;
  sb.onApp(() => { startBtn.disabled = false; });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!sb.app) { status.textContent = t('lt_no_app'); return; }
    const params = {};
    for (const [k, v] of new FormData(form)) params[k] = Number(v);
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    out.replaceChildren();
    status.textContent = t('lt_starting');
    let r, body;
    try {
      r = await fetch(`/api/sandbox/apps/${encodeURIComponent(sb.app.app_id)}/loadtests`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Switchboard-Lang': sb.lang },
        body: JSON.stringify(params),
      });
      body = await r.json().catch(() => ({}));
    } catch (err) {
      status.textContent = err.message;
      btn.disabled = false;
      return;
    }
    if (!r.ok) {
      status.textContent = body.error?.message || `HTTP ${r.status}`;
      btn.disabled = false;
      return;
    }
    follow(body, params, btn);
  });

  function follow(run, params, btn) {
    es?.close();
    const samples = [];
    const charts = mountCharts(latEl, delEl, { t, lang: sb.lang, slaP99Ms: sb.limits.sla_p99_ms });
    status.textContent = t('lt_running', { clients: params.clients });
    es = new EventSource(run.events_url);
    es.addEventListener('progress', (e) => {
      const s = JSON.parse(e.data);
      samples.push(s);
      charts.show(samples);
      status.textContent = t('lt_progress', { t: formatDuration(s.t * 1000, sb.durations), sent: s.sent, delivered: s.delivered });
    });
    es.addEventListener('done', (e) => {
      es.close();
      btn.disabled = false;
      status.textContent = t('lt_done');
      out.replaceChildren(renderReport(JSON.parse(e.data), run));
    });
    es.addEventListener('failed', (e) => {
      es.close();
      btn.disabled = false;
      status.textContent = JSON.parse(e.data).message;
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) { btn.disabled = false; status.textContent = t('lt_stream_lost'); }
    };
  }

  function renderReport(rep, run) {
    const met = (ok) => h('span', { class: ok ? 'sla-met' : 'sla-missed' }, t(ok ? 'lt_met' : 'lt_missed'));
    const row = (label, value, target, metric) => h('tr', {}, h('th', {}, label), h('td', metric ? { 'data-metric': metric } : {}, value), h('td', {}, target ?? ''));
    return h('div', { class: 'sb-report', 'data-report': rep.id },
      h('h3', {}, t('lt_report')),
      h('table', { class: 'sandbox-report-table' },
        h('tbody', {},
          row(t('lt_delivery_rate'), `${rep.delivery_rate_percent.toFixed(2)}%`,
            [`≥ ${rep.sla.delivery_target_percent}% · `, met(rep.sla.delivery_met)], 'delivery_rate'),
          row(t('lt_delivered_expected'), `${rep.delivered} / ${rep.expected}`),
          row('p50', `${rep.latency_p50_ms} ms`), row('p90', `${rep.latency_p90_ms} ms`),
          row('p99', `${rep.latency_p99_ms} ms`, [`< ${rep.sla.latency_p99_target_ms} ms · `, met(rep.sla.latency_met)], 'latency_p99'),
          row('max', `${rep.latency_max_ms} ms`),
          row(t('lt_throughput'), t('lt_throughput_value', { published: rep.published_per_second, delivered: rep.delivered_per_second })),
          row(t('lt_connect'), t('lt_connect_value', { p50: rep.connect_p50_ms, max: rep.connect_max_ms, total: rep.connect_total_ms })))),
      h('p', { class: 'sb-report-links' },
        h('a', { href: run.report_url, class: 'sb-permalink' }, t('lt_permalink')), ' · ',
        h('a', { href: run.json_url + '?download=1', download: '' }, 'JSON'), ' · ',
        h('a', { href: run.csv_url, download: '' }, 'CSV')));
  }
}
