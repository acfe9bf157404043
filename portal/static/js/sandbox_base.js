// The small part of the sandbox every page with a "Try it" button or a Run
// button needs at once: its configuration and an element builder. The
// sandbox itself (sandbox.js, with the SDK) loads when the pane opens.

/** Reads the page's sandbox data, or fetches it for pages without it. */
export async function loadConfig(lang) {
  const el = document.getElementById('sandbox-data');
  if (el) return JSON.parse(el.textContent);
  const r = await fetch(`/api/sandbox/config?lang=${encodeURIComponent(lang)}`, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`sandbox config: ${r.status}`);
  return r.json();
}

/** h builds an element: h('button', {class: 'x', 'data-action': 'y'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** fmt fills {name} placeholders of a localized string. */
export function fmt(s, vars = {}) {
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}
