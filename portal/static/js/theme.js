// The reader's theme choice (light or dark; none means "follow the
// system"), applied before the page paints. A classic script in <head>,
// not a module, so it runs before the body renders; site.js has the toggle.
try {
  const t = localStorage.getItem('switchboard.theme');
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch { /* storage disabled: follow the system */ }
