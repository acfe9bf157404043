// "Try it" on docs pages: the sandbox in a resizable, collapsible pane
// beside the docs (a bottom sheet on narrow screens), and "Run" buttons on
// code blocks marked `run`. The pane's open state and width are kept in
// localStorage and the sandbox's app and cards by sandbox.js, so the pane
// comes back as it was on the next docs page. The sandbox's code (sandbox.js
// and the SDK) is fetched only when the pane first opens.
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

// --- Run buttons and the in-place editor ----------------------------------
// A runnable block gets Run, Edit and Reset. Edit swaps the highlighted
// code for a textarea with the same text (Tab indents; Escape, then Tab,
// leaves it), so the reader changes the snippet where it stands; Run runs
// what is there now. Reset brings back the docs' code.
function mountRun(block) {
  const pre = block.querySelector('pre');
  const original = pre.querySelector('code') || pre;
  const originalHTML = original.innerHTML;
  const source = original.textContent;
  let code = source;
  const out = h('div', { class: 'sb-run-output', hidden: true, 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'sb-run-btn button small', 'data-action': 'run' }, t('run'));
  const editBtn = h('button', { type: 'button', class: 'button small', 'data-action': 'edit', 'aria-pressed': 'false' }, t('edit'));
  const resetBtn = h('button', { type: 'button', class: 'button small', 'data-action': 'reset', hidden: true }, t('reset'));
  const editor = h('textarea', {
    class: 'sb-editor', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', hidden: true,
    'aria-label': t('editor_label'), 'data-editor': '',
  });
  block.classList.add('sb-runnable');
  pre.after(editor);
  block.append(h('div', { class: 'sb-run-bar' }, btn, editBtn, resetBtn));
  block.after(out);

  const fit = () => { editor.rows = Math.min(40, Math.max(4, editor.value.split('\n').length + 1)); };
  const editing = () => !editor.hidden;
  const setEditing = (on) => {
    if (on) {
      editor.value = code;
      fit();
    } else {
      code = editor.value;
      if (code !== source) original.textContent = code; // plain text: highlighting is for the docs' code
    }
    editor.hidden = !on;
    pre.hidden = on;
    editBtn.setAttribute('aria-pressed', String(on));
    editBtn.textContent = t(on ? 'edit_done' : 'edit');
    resetBtn.hidden = !on && code === source;
    if (on) editor.focus();
  };
  editBtn.addEventListener('click', () => setEditing(!editing()));
  resetBtn.addEventListener('click', () => {
    code = source;
    editor.value = source;
    original.innerHTML = originalHTML;
    fit();
    resetBtn.hidden = !editing();
  });
  let escaped = false;
  editor.addEventListener('input', () => { code = editor.value; resetBtn.hidden = false; fit(); });
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { escaped = true; return; }
    if (e.key === 'Tab' && !e.shiftKey && !escaped) {
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
      editor.dispatchEvent(new Event('input'));
    }
    escaped = false;
  });

  let frame = null;
  btn.addEventListener('click', async () => {
    if (editing()) code = editor.value;
    const running = code;
    btn.disabled = true;
    out.hidden = false;
    const line = (kind, text) => out.append(h('div', { class: `sb-run-line sb-run-${kind}` }, text));
    out.replaceChildren(h('div', { class: 'sb-run-line sb-run-info' }, t('run_starting')));
    await setOpen(true);
    const app = await appReady;
    frame?.remove();
    frame = h('iframe', { sandbox: 'allow-scripts', src: '/sandbox/runner', class: 'sb-run-frame', title: t('run_frame'), tabindex: '-1' });
    const onMsg = (e) => {
      if (e.source !== frame.contentWindow || e.data?.source !== 'sb-runner') return;
      const { type, text } = e.data;
      if (type === 'ready') {
        frame.contentWindow.postMessage({
          type: 'run', code: running,
          sandbox: { appId: app.app_id, wsUrl: app.ws_url, users: app.users.map((u) => ({ id: u.user_id, token: u.token })) },
        }, '*');
      } else if (type === 'log') line('log', text);
      else if (type === 'error') line('error', text);
      else if (type === 'done') {
        line('info', t('run_done'));
        btn.disabled = false;
        window.removeEventListener('message', onMsg);
      }
    };
    window.addEventListener('message', onMsg);
    out.append(frame);
  });
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
  for (const b of runBlocks) mountRun(b);
  if (paneState().open) setOpen(true);
}
