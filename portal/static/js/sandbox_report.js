// The permalink page of a load-test report: the same charts as the live
// run, drawn from the stored report's samples (the table below them stays
// for readers without JavaScript).
import { fmt } from './sandbox_base.js';
import { mountCharts } from './sandbox_charts.js';

const el = document.getElementById('sandbox-data');
const lat = document.getElementById('chart-latency');
const del = document.getElementById('chart-delivery');
if (el && lat && del) {
  const cfg = JSON.parse(el.textContent);
  const S = cfg.Strings || {};
  const t = (k, vars) => fmt(S[k] ?? k, vars);
  const lang = document.body.dataset.lang || 'en';
  const rep = cfg.Report;
  mountCharts(lat, del, { t, lang, slaP99Ms: rep.sla.latency_p99_target_ms }).show(rep.samples);
}
