"""Finding text the wall cuts off, in the browser: shared by the clipping and large-region tests.

``CLIPPED_JS`` returns one entry per visible element whose own text does not fit: wider or taller
than its box where the box hides the overflow (``scrollWidth > clientWidth``), an active ellipsis or
line clamp, or text drawn outside the panel that holds it. Moving text (a scrolling ticker) and
visually hidden helpers (``clip-path``) are not text on the wall.
"""

from __future__ import annotations

CLIPPED_JS = r"""() => {
  const out = [];
  const hides = s => ['hidden', 'clip', 'auto', 'scroll'].includes(s);
  const seen = el => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
      if (s.clipPath && s.clipPath !== 'none') return false;
      if (e.classList.contains('ticker-scroll')) return false;  // a marquee moves by design
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
  };
  const ownText = el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  const name = el => (el.closest('[data-panel]')?.dataset.panel || el.closest('[id]')?.id || '') + ' ' +
                     el.tagName.toLowerCase() + '.' + [...el.classList].join('.');
  const all = document.querySelectorAll('body *');
  for (const el of all) {
    if (el.closest('svg, script, style, .js-plotly-plot')) continue;
    const text = ownText(el);
    if (!text || !seen(el)) continue;
    const s = getComputedStyle(el);
    const why = [];
    const wide = el.scrollWidth > el.clientWidth + 1, tall = el.scrollHeight > el.clientHeight + 1;
    if ((hides(s.overflowX) || s.textOverflow === 'ellipsis') && wide) why.push('width');
    if ((hides(s.overflowY) || s.webkitLineClamp !== 'none') && tall) why.push('height');
    // Text drawn past the panel (or another box) that hides what leaves it.
    const range = document.createRange();
    range.selectNodeContents(el);
    const t = range.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const as = getComputedStyle(a);
      if (!(hides(as.overflowX) || hides(as.overflowY))) continue;
      // A glyph box is ~0.08 em taller than a line of line-height 1 at each edge, and empty there.
      const b = a.getBoundingClientRect(), v = 0.1 * parseFloat(s.fontSize);
      const apart = t.right <= b.left || t.left >= b.right || t.bottom <= b.top || t.top >= b.bottom;
      if (apart) break;  // wholly out of its box: not shown (a row that does not fit), not cut
      if (t.left < b.left - 1 || t.right > b.right + 1 || t.top < b.top - v || t.bottom > b.bottom + v) {
        why.push('outside ' + (a.id || a.className)); break;
      }
    }
    if (why.length) out.push({el: name(el), text: text.slice(0, 60), why: why.join(',')});
  }
  return out;
}"""
