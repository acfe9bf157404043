// Live countdowns on the staff queue. The server renders every value; this
// only keeps "due in 3 h 05 m" current between page loads, using the
// page's localized patterns from the table's data-fmt-* attributes.

function fill(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function format(ms, fmt) {
  const total = Math.floor(Math.abs(ms) / 60000);
  if (total < 60) return fill(fmt.minutes, { M: total });
  if (total < 24 * 60) {
    const h = Math.floor(total / 60), m = total % 60;
    return fill(fmt.hours, { H: h, M: m, MM: String(m).padStart(2, "0") });
  }
  return fill(fmt.days, { D: Math.floor(total / 1440), H: Math.floor(total / 60) % 24 });
}

function tick(table) {
  const fmt = {
    minutes: table.dataset.fmtMinutes, hours: table.dataset.fmtHours, days: table.dataset.fmtDays,
    due: table.dataset.fmtDue, overdue: table.dataset.fmtOverdue,
  };
  const now = Date.now();
  table.dataset.live = "1"; // the countdowns are running
  for (const el of table.querySelectorAll("time.sla-countdown[datetime]")) {
    const left = Date.parse(el.getAttribute("datetime")) - now;
    if (Number.isNaN(left)) continue;
    el.textContent = fill(left > 0 ? fmt.due : fmt.overdue, { T: format(left, fmt) });
    const row = el.closest("tr");
    if (left <= 0 && row) {
      row.classList.remove("sla-on_track", "sla-at_risk");
      row.classList.add("sla-breached");
    }
  }
}

for (const table of document.querySelectorAll("table.sla-queue")) {
  tick(table);
  setInterval(() => tick(table), 15000);
}
