// Switchboard portal script: progressive enhancement only. Every page works
// without it; with it, code blocks get copy buttons, code tabs remember the
// reader's choice, and the search box shows results as you type.
document.documentElement.classList.add('js');

const body = document.body;

// --- Theme toggle ------------------------------------------------------------
// Cycles system -> light -> dark; theme.js applies the choice on every page.
const THEME_KEY = 'switchboard.theme';
const themeBtn = document.querySelector('[data-theme-toggle]');
const THEME_ICON = { system: '\u25d0', light: '\u2600', dark: '\u263e' };

function showTheme(theme) {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  themeBtn.dataset.current = theme;
  themeBtn.textContent = THEME_ICON[theme];
  themeBtn.setAttribute('aria-label', themeBtn.dataset[theme]);
  themeBtn.title = themeBtn.dataset[theme];
}

if (themeBtn) {
  showTheme(document.documentElement.dataset.theme || 'system');
  themeBtn.hidden = false;
  themeBtn.addEventListener('click', () => {
    const next = { system: 'light', light: 'dark', dark: 'system' }[themeBtn.dataset.current];
    showTheme(next);
    try {
      if (next === 'system') localStorage.removeItem(THEME_KEY); else localStorage.setItem(THEME_KEY, next);
    } catch { /* storage disabled: the choice lasts for this page */ }
  });
}

// --- Docs menu: the sidebar as a drawer below 900 px ------------------------
const menuBtn = document.querySelector('[data-docs-menu]');
const sidebar = document.getElementById('docs-sidebar');
if (menuBtn && sidebar) {
  const closeBtn = document.createElement('button');
  closeBtn.type = 'button';
  closeBtn.className = 'button small docs-menu-close';
  closeBtn.textContent = menuBtn.dataset.close;
  sidebar.prepend(closeBtn);
  const setMenu = (open) => {
    sidebar.classList.toggle('open', open);
    document.body.classList.toggle('docs-menu-open', open);
    menuBtn.setAttribute('aria-expanded', String(open));
    if (open) (sidebar.querySelector('[aria-current="page"]') || closeBtn).focus();
  };
  menuBtn.hidden = false;
  menuBtn.addEventListener('click', () => setMenu(!sidebar.classList.contains('open')));
  closeBtn.addEventListener('click', () => { setMenu(false); menuBtn.focus(); });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && sidebar.classList.contains('open')) { setMenu(false); menuBtn.focus(); }
  });
  document.addEventListener('click', (ev) => {
    if (sidebar.classList.contains('open') && !ev.target.closest('#docs-sidebar, [data-docs-menu]')) setMenu(false);
  });
}

// --- Copy buttons -----------------------------------------------------------
function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'visually-hidden';
  document.body.appendChild(ta);
  ta.select();
  try { document.execCommand('copy'); } finally { ta.remove(); }
  return Promise.resolve();
}

for (const block of document.querySelectorAll('.code-block')) {
  const pre = block.querySelector('pre');
  if (!pre) continue;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'copy-btn';
  btn.textContent = body.dataset.copyLabel || 'Copy';
  btn.addEventListener('click', async () => {
    await copyText(pre.innerText.replace(/\n$/, ''));
    btn.textContent = body.dataset.copiedLabel || 'Copied';
    btn.dataset.copied = 'true';
    setTimeout(() => { btn.textContent = body.dataset.copyLabel || 'Copy'; delete btn.dataset.copied; }, 2000);
  });
  block.appendChild(btn);
}

// --- Scrolling regions take keyboard focus -------------------------------------
// Wide tables and code (forum posts lose the renderer's tabindex to the
// sanitizer) scroll sideways; keyboard users can only scroll what they can focus.
for (const el of document.querySelectorAll('main table, main pre')) {
  if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
}

// --- Code tabs ---------------------------------------------------------------
const TAB_KEY = 'switchboard.codeTab';

function selectTab(group, label) {
  const tabs = group.querySelectorAll('[role="tab"]');
  if (![...tabs].some(t => t.dataset.tab === label)) return false;
  for (const t of tabs) t.setAttribute('aria-selected', String(t.dataset.tab === label));
  for (const p of group.querySelectorAll('.tab-panel')) p.classList.toggle('active', p.dataset.tab === label);
  return true;
}

const groups = document.querySelectorAll('.code-tabs');
let saved = null;
try { saved = localStorage.getItem(TAB_KEY); } catch { /* storage disabled */ }
for (const group of groups) {
  if (saved) selectTab(group, saved);
  group.querySelector('.tab-list').addEventListener('click', (ev) => {
    const tab = ev.target.closest('[role="tab"]');
    if (!tab) return;
    const label = tab.dataset.tab;
    for (const g of groups) selectTab(g, label); // every sample on the page follows
    try { localStorage.setItem(TAB_KEY, label); } catch { /* storage disabled */ }
  });
  group.querySelector('.tab-list').addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const tabs = [...group.querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const next = tabs[(i + (ev.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
}

// --- Search as you type -------------------------------------------------------
const input = document.querySelector('[data-search]');
const list = document.getElementById('search-results');
let timer = null;
let seq = 0;
let active = -1;

function closeResults() {
  list.hidden = true;
  input.setAttribute('aria-expanded', 'false');
  active = -1;
}

function renderResults(results) {
  list.replaceChildren();
  if (results.length === 0) {
    const p = document.createElement('p');
    p.className = 'r-empty';
    p.textContent = body.dataset.searchEmpty || 'No results';
    list.appendChild(p);
  }
  results.forEach((r, i) => {
    const a = document.createElement('a');
    a.href = r.url;
    a.id = 'search-result-' + i;
    a.setAttribute('role', 'option');
    const title = document.createElement('span');
    title.className = 'r-title';
    title.textContent = r.title;
    // The kind (Docs / Forum), labelled in the page's language.
    const kind = document.createElement('span');
    kind.className = 'r-kind';
    kind.textContent = list.dataset['kind' + r.kind.charAt(0).toUpperCase() + r.kind.slice(1)] || r.kind;
    title.append(' ', kind);
    const snippet = document.createElement('span');
    snippet.className = 'r-snippet';
    // The server escapes snippets and adds only <mark>; rebuild them as
    // nodes anyway so no HTML from the network is ever parsed here.
    for (const [k, part] of r.snippet.split(/<\/?mark>/).entries()) {
      const text = new DOMParser().parseFromString(part, 'text/html').documentElement.textContent;
      if (k % 2 === 1) {
        const m = document.createElement('mark');
        m.textContent = text;
        snippet.appendChild(m);
      } else {
        snippet.appendChild(document.createTextNode(text));
      }
    }
    a.append(title, snippet);
    list.appendChild(a);
  });
  list.hidden = false;
  input.setAttribute('aria-expanded', 'true');
  active = -1;
}

async function runSearch() {
  const q = input.value.trim();
  const mine = ++seq;
  if (!q) { closeResults(); return; }
  const res = await fetch(`/api/search?q=${encodeURIComponent(q)}&lang=${body.dataset.lang}&limit=8`);
  if (!res.ok || mine !== seq) return;
  const data = await res.json();
  if (mine === seq) renderResults(data.results);
}

if (input && list) {
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(runSearch, 120); });
  input.addEventListener('keydown', (ev) => {
    const items = [...list.querySelectorAll('a')];
    if (ev.key === 'Escape') { closeResults(); input.blur(); return; }
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (!items.length) return;
      ev.preventDefault();
      active = (active + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items.forEach((a, i) => a.setAttribute('aria-selected', String(i === active)));
      input.setAttribute('aria-activedescendant', items[active].id);
    } else if (ev.key === 'Enter' && active >= 0 && items[active]) {
      ev.preventDefault();
      location.href = items[active].href;
    }
  });
  document.addEventListener('click', (ev) => { if (!ev.target.closest('.search')) closeResults(); });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t.closest('input, textarea, select, [contenteditable="true"]')) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });
}

// --- Table of contents follows the reader ------------------------------------
const tocLinks = new Map([...document.querySelectorAll('.docs-toc a')].map(a => [decodeURIComponent(a.hash.slice(1)), a]));
if (tocLinks.size && 'IntersectionObserver' in window) {
  const obs = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      for (const a of tocLinks.values()) a.classList.remove('active');
      tocLinks.get(e.target.id)?.classList.add('active');
    }
  }, { rootMargin: '0px 0px -70% 0px' });
  for (const id of tocLinks.keys()) { const h = document.getElementById(id); if (h) obs.observe(h); }
}
