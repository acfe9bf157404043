// Run buttons on docs code blocks marked `run`, and their in-place editor;
// loaded by sandbox_tryit.js on pages that have such blocks. Run opens the
// sandbox pane (open() resolves to its app) and runs the code in an
// <iframe sandbox="allow-scripts"> (sandbox_runner.js).
import { h } from './sandbox_base.js';

// A runnable block gets Run, Edit and Reset. Edit swaps the highlighted
// code for a textarea with the same text (Tab indents; Escape, then Tab,
// leaves it), so the reader changes the snippet where it stands; Run runs
// what is there now. Reset brings back the docs' code.
export function mountRun(block, { t, open }) {
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
    const app = await open();
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
