// Durations for people, written exactly as the portal's Go side writes
// them (localizer.Duration in portal/duration.go; a browser test holds the
// two equal): "45 seconds", "1 minute 30 seconds", "58 minutes",
// "2 hours 14 minutes", "3 days 4 hours". The words come from the page
// (durationWords), never from this file.

const UNITS = [['days', 86400], ['hours', 3600], ['minutes', 60], ['seconds', 1]];

// shape returns, for n > 0 seconds, the index of the largest unit in n,
// how many of it n holds, and the size of the smallest unit shown.
function shape(n) {
  for (let i = 0; i < UNITS.length; i++) {
    const q = Math.floor(n / UNITS[i][1]);
    if (q > 0 || i + 1 === UNITS.length) {
      const step = q < 10 && i + 1 < UNITS.length ? UNITS[i + 1][1] : UNITS[i][1];
      return [i, q, step];
    }
  }
  return [UNITS.length - 1, 0, 1];
}

function word(words, unit, n) {
  const forms = words.units[unit] || {};
  const cat = new Intl.PluralRules(words.lang).select(n);
  return (forms[cat] ?? forms.other ?? `{n} ${unit}`).replace('{n}', String(n));
}

/**
 * formatDuration writes ms milliseconds (its size, when negative): whole
 * seconds rounded up; the largest unit, and the next one while the
 * largest is under 10; rounded half up to the smallest unit shown.
 * words is {lang, units: {seconds: {one: "{n} second", other: ...}, ...}}.
 */
export function formatDuration(ms, words) {
  let n = Math.ceil(Math.abs(ms) / 1000);
  if (n === 0) return word(words, 'seconds', 0);
  const [, , step] = shape(n);
  n = Math.floor((n + Math.floor(step / 2)) / step) * step;
  const [i, q] = shape(n);
  const parts = [word(words, UNITS[i][0], q)];
  if (q < 10 && i + 1 < UNITS.length) {
    const m = Math.floor((n % UNITS[i][1]) / UNITS[i + 1][1]);
    if (m > 0) parts.push(word(words, UNITS[i + 1][0], m));
  }
  return parts.join(' ');
}

/** durationWords reads the unit words from el's data-duration-units. */
export function durationWords(el) {
  return JSON.parse(el.dataset.durationUnits || '{"lang":"en","units":{}}');
}
