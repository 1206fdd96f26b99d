// Labels placed beside the points they name, never on top of one another,
// of any named point, or of text already drawn: each label tries positions
// around its point, nearest first (right, left, above, below, the
// diagonals), then the same further out; a label set away from its point
// gets a leader line back to it.

/** Distances from the point tried, in px (the first needs no leader). */
const RINGS = [7, 16, 28, 42, 58, 76];
/** Directions tried at each distance: right, left, up, down, diagonals. */
const DIRECTIONS = [[1, 0], [-1, 0], [0, -1], [0, 1], [1, -1], [-1, -1], [1, 1], [-1, 1]];
/** A point's own extent: a label keeps this far from every point (px). */
const POINT_RADIUS = 5;

const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The box of a label of `width` x `height` at `distance` from (x, y) in direction (dx, dy). */
function boxAt({ x, y }, [dx, dy], distance, width, height) {
  const left = dx > 0 ? x + distance : dx < 0 ? x - distance - width : x - width / 2;
  const top = dy > 0 ? y + distance : dy < 0 ? y - distance - height : y - height / 2;
  return { x: left, y: top, width, height };
}

/**
 * Places a label for each anchor.
 * @param {Array<{x: number, y: number, name: string}>} anchors points in px
 * @param {{width: number, height: number, avoid?: Array<{x: number, y: number, width: number, height: number}>,
 *   charWidth?: number, lineHeight?: number}} area the plot's size, and boxes to keep clear of
 * @returns {Array<{name: string, x: number, y: number, box: object, leader: boolean, anchor: {x: number, y: number}}>}
 *   x, y: the text's start and baseline
 */
export function placeLabels(anchors, { width, height, avoid = [], charWidth = 6.2, lineHeight = 11 }) {
  const points = anchors.map((a) => ({ x: a.x - POINT_RADIUS, y: a.y - POINT_RADIUS, width: 2 * POINT_RADIUS, height: 2 * POINT_RADIUS }));
  const taken = [...avoid];
  const free = (box) => box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height
    && !taken.some((t) => overlaps(t, box)) && !points.some((p) => overlaps(p, box));
  return anchors.map((anchor) => {
    const size = [charWidth * anchor.name.length + 2, lineHeight];
    let chosen = null;
    let distance = RINGS[0];
    for (const ring of RINGS) {
      const fit = DIRECTIONS.map((d) => boxAt(anchor, d, ring, ...size)).find(free);
      if (fit) {
        chosen = fit;
        distance = ring;
        break;
      }
    }
    // Nowhere free: beside the point, as before.
    chosen ??= boxAt(anchor, DIRECTIONS[0], RINGS[0], ...size);
    taken.push(chosen);
    return {
      name: anchor.name, box: chosen, x: chosen.x + 1, y: chosen.y + lineHeight - 2,
      leader: distance > RINGS[0], anchor: { x: anchor.x, y: anchor.y },
    };
  });
}
