// The views together: each one drawn from the run's history and latest
// snapshot on the next animation frame, at most once per frame. A view that
// fails says so in the error box and the others go on.
import { CurvesView } from './views/curves.js';
import { InfoPlaneView } from './views/info-plane.js';
import { LatentView } from './views/latent.js';
import { DimsView } from './views/dims.js';
import { MapView } from './views/map.js';
import { SweepView } from './views/sweep.js';

const $ = (id) => document.getElementById(id);

export class Views {
  /** @param {import('./messages.js').Messages} messages */
  constructor(messages) {
    this.messages = messages;
    this.curves = new CurvesView($('curves'));
    this.plane = new InfoPlaneView($('info-plane'), $('plane-note'));
    this.latent = new LatentView($('latent'), $('latent-projection'));
    this.dims = new DimsView($('dims'), $('dims-caption'));
    this.map = new MapView($('map'), $('map-caption'));
    this.sweepView = new SweepView($('sweep'), $('sweep-caption'));
    this.pending = null;
  }

  /** A new run: nothing of the last one stays drawn. */
  reset(info) {
    this.curves.update([], info);
    this.plane.update([], info);
  }

  /** Redraws from `state` ({history, info, snapshot}) on the next frame. */
  draw(state) {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      try {
        this.curves.update(state.history, state.info);
        this.plane.update(state.history, state.info);
        const last = state.history[state.history.length - 1];
        if (last) this.dims.update(last, state.info);
        if (state.snapshot) {
          this.latent.update(state.snapshot.latent);
          this.map.update(state.snapshot);
        }
      } catch (error) {
        this.messages.error(`a view failed: ${error.message}`);
      }
    });
  }

  /** The beta sweep's latest reports. */
  sweep({ reports, done }, info) {
    $('view-sweep').hidden = false;
    if (reports.length) this.sweepView.update(reports, info);
    $('sweep-button').disabled = !done;
  }
}
