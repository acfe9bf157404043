// Forum enhancements. Every page works without this script: the preview
// button submits the form and the server renders the preview; this module
// renders it in place instead, and asks before deleting a post.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const lang = document.body.dataset.lang || 'en';

for (const form of document.querySelectorAll('form[data-post-form]')) {
  const body = form.querySelector('[data-body]');
  const out = form.querySelector('[data-preview]');
  const button = form.querySelector('[data-preview-button]');
  if (!body || !out || !button) continue;
  button.addEventListener('click', async (ev) => {
    ev.preventDefault();
    const data = new URLSearchParams({ body: body.value });
    try {
      const res = await fetch(`/${lang}/forum/preview`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json, text/html' },
        body: data,
      });
      const text = await res.text();
      if (res.ok) {
        out.innerHTML = text; // sanitized by the server, as the stored post will be
      } else {
        let msg = text;
        try { msg = JSON.parse(text).error.message; } catch { /* an HTML error page */ }
        out.textContent = msg;
      }
    } catch (err) {
      out.textContent = String(err);
    }
    out.hidden = false;
  });
}

for (const b of document.querySelectorAll('button[data-confirm]')) {
  b.addEventListener('click', (ev) => {
    if (!window.confirm(b.dataset.confirm)) ev.preventDefault();
  });
}
