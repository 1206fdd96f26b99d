// What the page tells the visitor, in two places: errors (something is
// wrong and needs them: a bad link value, refused data, a diverged run) in
// an alert box, and notices (something they should know: a restored run,
// data that are not in the link, a move to the CPU) in a quiet status box.
// Text only: links and uploads come from strangers, so nothing is HTML.

export class Messages {
  /** @param {HTMLElement} errors @param {HTMLElement} notices */
  constructor(errors, notices) {
    this.boxes = { error: errors, notice: notices };
  }

  /**
   * Adds an error, with an optional button {label, testid, action}. An
   * error with a `key` replaces the last one with that key (a control's
   * refused value is said once, not piled up).
   */
  error(text, action = null, key = null) {
    this.add('error', text, action, key);
  }

  /** Adds a notice, with an optional button {label, testid, action}; one
   * with a `key` can be dropped (an offer taken up). */
  notice(text, action = null, key = null) {
    this.add('notice', text, action, key);
  }

  add(kind, text, action, key = null) {
    const box = this.boxes[kind];
    if (key) for (const old of box.querySelectorAll(`[data-key="${key}"]`)) old.remove();
    const line = document.createElement('p');
    line.textContent = text;
    if (key) line.dataset.key = key;
    box.append(line);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = action.label;
      button.dataset.testid = action.testid;
      if (key) button.dataset.key = key;
      button.addEventListener('click', action.action);
      box.append(button);
    }
    box.hidden = false;
  }

  /** Removes the message with `key` and its button (its control now holds
   * a good value, its offer was taken up). */
  drop(key) {
    for (const box of Object.values(this.boxes)) {
      for (const old of box.querySelectorAll(`[data-key="${key}"]`)) old.remove();
      box.hidden = !box.querySelector('p, button');
    }
  }

  /** Empties both boxes. */
  clear() {
    for (const box of Object.values(this.boxes)) {
      box.replaceChildren();
      box.hidden = true;
    }
  }

  /** The texts shown, for tests and exports. */
  texts(kind) {
    return [...this.boxes[kind].querySelectorAll('p')].map((p) => p.textContent);
  }
}
