// "Keep this app": hands the sandbox app's App ID and server API key to
// the console (POST /{lang}/console/keep, with the page's CSRF token),
// which moves the app into the signed-in reader's team as a development
// app with its data. Signed out, the console answers with the login page,
// whose next= brings the reader back here to keep it.
import { h } from './sandbox_base.js';

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || '';

/** keepBox is the button and its hint; forget is called once the app is kept. */
export function keepBox(sb, app, forget) {
  const t = sb.t.bind(sb);
  const btn = h('button', { type: 'button', class: 'button small', 'data-action': 'keep-app' }, t('keep'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    sb.status.classList.remove('sb-error');
    sb.status.textContent = t('keeping');
    const base = `/${sb.lang}`;
    let r = null;
    try {
      r = await fetch(`${base}/console/keep`, {
        method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrfToken() },
        body: new URLSearchParams({ app_id: app.app_id, api_key: app.api_key }),
      });
    } catch { /* offline: said below */ }
    const to = r?.ok ? new URL(r.url).pathname : '';
    if (to === `${base}/login`) { // signed out: sign in, then back to this page
      location.assign(r.url);
      return;
    }
    if (to === `${base}/console/apps/${app.app_id}`) { // kept: it is no longer a sandbox app
      forget();
      location.assign(r.url);
      return;
    }
    btn.disabled = false;
    sb.status.textContent = t('keep_failed');
    sb.status.classList.add('sb-error');
  });
  return h('p', { class: 'sb-keep' }, btn, ' ', h('span', { class: 'muted' }, t('keep_hint')));
}
