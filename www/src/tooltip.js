// One tooltip for every plot: a small box near the pointer with a few lines
// of text (never HTML). Views call show() on hover or focus and hide() when
// the pointer leaves.

let box = null;

function element() {
  if (!box) {
    box = document.createElement('div');
    box.className = 'tooltip';
    box.setAttribute('role', 'tooltip');
    box.dataset.testid = 'tooltip';
    box.hidden = true;
    document.body.append(box);
  }
  return box;
}

/** Shows `lines` near page coordinates (x, y). */
export function show(lines, x, y) {
  const tip = element();
  tip.replaceChildren(...lines.map((text) => Object.assign(document.createElement('div'), { textContent: text })));
  tip.hidden = false;
  const { width } = tip.getBoundingClientRect();
  const left = Math.min(x + 12, window.scrollX + document.documentElement.clientWidth - width - 4);
  tip.style.left = `${Math.max(window.scrollX + 4, left)}px`;
  tip.style.top = `${y + 12}px`;
}

export function hide() {
  if (box) box.hidden = true;
}

/** Page coordinates of a pointer event. */
export const at = (event) => [event.pageX, event.pageY];

/** Shows the tooltip for a focused element at its bounding box. */
export function showAt(element, lines) {
  const r = element.getBoundingClientRect();
  show(lines, r.left + window.scrollX + r.width / 2, r.top + window.scrollY + r.height / 2);
}
