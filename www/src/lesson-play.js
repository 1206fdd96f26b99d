// A lesson's own Play, in its row of Back and Next, with the run's step
// beside it: shown only while the run's Play is out of sight (on a phone it
// sits a screen above the lesson that says to press it), so there are never
// two Play buttons in view, and the run's progress shows where the student
// is. The button presses the run's Play; main.js keeps both labels in step.

/**
 * Adds the button (`lesson-play`) and the step (`lesson-progress`) to `nav`.
 * @param {Element|null} nav the lesson's row of buttons
 * @param {HTMLElement} play the run's Play
 * @param {() => number|null} until the step the lesson pauses at, if any
 * @param {number} step the run's step now
 * @returns {(step: number) => void} shows the run's step
 */
export function mountLessonPlay(nav, play, until, step) {
  const button = document.createElement('button');
  Object.assign(button, { type: 'button', textContent: 'Play', hidden: true });
  button.dataset.testid = 'lesson-play';
  button.setAttribute('aria-pressed', 'false');
  button.addEventListener('click', () => play.click());
  const progress = Object.assign(document.createElement('span'), { className: 'lesson-progress', hidden: true });
  progress.dataset.testid = 'lesson-progress';
  nav?.append(button, progress);
  // One callback can carry several changes (a busy page batches them): the
  // last is where the run's Play is now.
  new IntersectionObserver((entries) => { button.hidden = progress.hidden = entries[entries.length - 1].isIntersecting; }).observe(play);
  const show = (/** @type {number} */ at) => {
    const end = until();
    progress.textContent = `step ${at.toLocaleString('en')}${end != null ? ` of ${end.toLocaleString('en')}` : ''}`;
  };
  show(step);
  return show;
}
