// "Try it" on docs pages: the sandbox in a resizable, collapsible pane
// beside the docs (a bottom sheet on narrow screens), and "Run" buttons on
// code blocks marked `run`. The pane's open state and width are kept in
// localStorage and the sandbox's app and cards by sandbox.js, so the pane
// comes back as it was on the next docs page. The sandbox's code (sandbox.js
// and the SDK) is fetched only when the pane first opens, and the Run
// buttons' (sandbox_run.js) only on pages with runnable code.
import { loadConfig, h, fmt } from './sandbox_base.js';

const PANE_KEY = 'sb.sandbox.pane';
const MIN_WIDTH = 320;

const lang = document.body.dataset.lang || 'en';
const tryBtn = document.querySelector('[data-sandbox-tryit]');
const runBlocks = [...document.querySelectorAll('.code-block[data-run="true"]')];

let cfg, pane, sb, appReady, building;

function paneState() {
  try { return { open: false, width: 520, ...JSON.parse(localStorage.getItem(PANE_KEY) || '{}') }; } catch { return { open: false, width: 520 }; }
}
function savePane(patch) { localStorage.setItem(PANE_KEY, JSON.stringify({ ...paneState(), ...patch })); }
const t = (k, v) => fmt(cfg?.Strings?.[k] ?? k, v);

function setWidth(w) {
  const max = Math.max(MIN_WIDTH, window.innerWidth - 360);
  w = Math.min(max, Math.max(MIN_WIDTH, Math.round(w)));
  document.documentElement.style.setProperty('--sb-pane-width', `${w}px`);
  const handle = pane?.querySelector('.sb-pane-resize');
  if (handle) {
    handle.setAttribute('aria-valuemin', String(MIN_WIDTH));
    handle.setAttribute('aria-valuemax', String(max));
    handle.setAttribute('aria-valuenow', String(w));
  }
  return w;
}

async function buildPane() {
  const { Sandbox } = await import('./sandbox.js');
  const root = h('div', { class: 'sandbox-root', 'data-mode': 'pane' });
  const handle = h('div', {
    class: 'sb-pane-resize', role: 'separator', 'aria-orientation': 'vertical', tabindex: '0', 'aria-label': t('resize'),
  });
  pane = h('aside', { class: 'sb-pane', id: 'sandbox-pane', 'aria-label': t('pane_label'), hidden: true },
    handle,
    h('div', { class: 'sb-pane-head' },
      h('strong', {}, t('pane_title')),
      h('a', { href: `/${lang}/sandbox`, class: 'sb-full-link' }, t('full_page')),
      h('button', { type: 'button', class: 'button small', 'data-action': 'collapse', onclick: () => setOpen(false) }, t('collapse'))),
    h('div', { class: 'sb-pane-body' }, root));
  document.body.append(pane);
  sb = new Sandbox(root, cfg, { lang });
  appReady = new Promise((resolve) => sb.onApp(resolve));
  setWidth(paneState().width);

  // Drag the left edge to resize; arrow keys work too.
  handle.addEventListener('pointerdown', (e) => {
    handle.setPointerCapture(e.pointerId);
    const move = (ev) => setWidth(window.innerWidth - ev.clientX);
    const up = (ev) => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      savePane({ width: setWidth(window.innerWidth - ev.clientX) });
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
  handle.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowLeft' ? 24 : e.key === 'ArrowRight' ? -24 : 0;
    if (!step) return;
    e.preventDefault();
    savePane({ width: setWidth(paneState().width + step) });
  });
}

async function setOpen(open) {
  if (open && !pane) {
    building ??= buildPane().then(() => { sb.start(); }); // connecting goes on in the open pane
    await building;
  }
  if (pane) pane.hidden = !open;
  document.body.classList.toggle('sb-pane-open', open);
  tryBtn?.setAttribute('aria-expanded', String(open));
  savePane({ open });
}

if (tryBtn || runBlocks.length) {
  try {
    cfg = await loadConfig(lang);
  } catch {
    cfg = null; // no sandbox on this server: leave the page as it is
  }
}
if (cfg) {
  if (tryBtn) {
    tryBtn.hidden = false;
    tryBtn.setAttribute('aria-controls', 'sandbox-pane');
    tryBtn.addEventListener('click', () => setOpen(!(pane && !pane.hidden)));
  }
  if (runBlocks.length) {
    // Only pages with runnable code fetch the Run buttons and the editor.
    const { mountRun } = await import('./sandbox_run.js');
    const open = async () => { await setOpen(true); return appReady; };
    for (const b of runBlocks) mountRun(b, { t, open });
  }
  if (paneState().open) setOpen(true);
}
