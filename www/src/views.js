// The views together: each one drawn from the run's history, its latest
// snapshot and the pinned runs, on the next animation frame, at most once
// per frame. A view that fails says so in the error box and the others go
// on.
import { CurvesView } from './views/curves.js';
import { InfoPlaneView } from './views/info-plane.js';
import { LatentView } from './views/latent.js';
import { DimsView } from './views/dims.js';
import { MapView } from './views/map.js';
import { SweepView } from './views/sweep.js';
import { DiagramView } from './views/diagram.js';

const $ = (id) => document.getElementById(id);

export class Views {
  /**
   * @param {import('./messages.js').Messages} messages
   * @param {(beta: number) => void} onPickBeta a sweep point was chosen
   */
  constructor(messages, onPickBeta) {
    this.messages = messages;
    this.curves = new CurvesView($('curves'));
    this.plane = new InfoPlaneView($('info-plane'), $('plane-note'));
    this.latent = new LatentView($('latent'), $('latent-projection'), $('latent-legend'));
    this.dims = new DimsView($('dims'), $('dims-caption'));
    this.map = new MapView($('map'), $('map-caption'), $('map-legend'));
    this.ib = new SweepView($('sweep'), $('sweep-caption'), onPickBeta);
    this.diagram = new DiagramView($('diagram'));
    this.pending = null;
  }

  /** A new run: nothing of the last one stays drawn (but the β sweep, with
   * `keepSweep`: a new run of the same data and objective). */
  reset(info, { keepSweep = false } = {}) {
    if (!keepSweep) this.ib.setFamily([]);
    this.curves.update([], info);
    this.plane.update([], info);
  }

  /**
   * Redraws on the next frame from `state`: {history, info, snapshot, link,
   * pins (labelled), marks (β changes), showTest}.
   */
  draw(state) {
    // The frame draws the latest state asked for, not the first.
    this.latest = state;
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      try {
        this.drawNow(this.latest);
      } catch (error) {
        this.messages.error(`a view failed: ${error.message}`);
      }
    });
  }

  drawNow({ history, info, snapshot, link, pins, marks, showTest }) {
    this.curves.update(history, info, { pins, marks });
    this.plane.update(history, info, { pins });
    const last = history[history.length - 1];
    if (last) this.dims.update(last, info);
    if (info?.objective !== 'vae') this.ib.update(history, info, { pins });
    $('view-sweep').classList.toggle('not-applicable', info?.objective === 'vae');
    this.diagram.update(link, info, last, snapshot);
    if (snapshot) {
      this.latent.update(snapshot.latent, { pins, classNames: info?.class_names ?? [] });
      this.map.update(snapshot, { showTest, classNames: info?.class_names ?? [] });
    }
  }

  /** The beta sweep's latest reports, one per model (null: those drawn). */
  sweep(reports, state) {
    if (reports) this.ib.setFamily(reports);
    this.draw(state);
  }
}
