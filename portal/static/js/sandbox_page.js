// Entry point of the full-page sandbox (/{lang}/sandbox).
import { loadConfig } from './sandbox_base.js';
import { Sandbox } from './sandbox.js';
import { mountLoadTest } from './sandbox_loadtest.js';

const root = document.getElementById('sandbox-root');
if (root) {
  const lang = document.body.dataset.lang || 'en';
  const cfg = await loadConfig(lang);
  const sb = new Sandbox(root, cfg, { lang });
  mountLoadTest(sb);
  await sb.start();
}
