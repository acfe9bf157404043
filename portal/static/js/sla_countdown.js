// Live countdowns on the staff queue. The server renders every value; this
// only keeps "due in 3 hours 5 minutes" current between page loads, with
// the page's localized patterns (data-fmt-due, data-fmt-overdue) and unit
// words (data-duration-units), written as the server writes them
// (duration.js).
import { formatDuration, durationWords } from './duration.js';

function fill(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function tick(table, words) {
  const now = Date.now();
  table.dataset.live = "1"; // the countdowns are running
  for (const el of table.querySelectorAll("time.sla-countdown[datetime]")) {
    const left = Date.parse(el.getAttribute("datetime")) - now;
    if (Number.isNaN(left)) continue;
    el.textContent = fill(left > 0 ? table.dataset.fmtDue : table.dataset.fmtOverdue, { T: formatDuration(left, words) });
    const row = el.closest("tr");
    if (left <= 0 && row) {
      row.classList.remove("sla-on_track", "sla-at_risk");
      row.classList.add("sla-breached");
    }
  }
}

for (const table of document.querySelectorAll("table.sla-queue")) {
  const words = durationWords(table);
  tick(table, words);
  // Every second: under ten minutes a countdown counts seconds.
  setInterval(() => tick(table, words), 1000);
}
