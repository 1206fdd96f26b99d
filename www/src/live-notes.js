// What the page says about live changes (the `live` key of a link): which
// changes a link replays as it trains, and which later ones a new change
// replaces. Keys are named as the controls name them.
import { keyWords as nameOf } from './facts.js';

/** "β = 0.2 from step 220": how the page names a live change. */
const changeText = (c) => `${nameOf(c.key)} = ${c.value} from step ${c.step}`;

/** Which changes a link replays as it trains (a shared link, Reset), or null. */
export function announceReplay(changes) {
  if (!changes.length) return null;
  const listed = changes.slice(0, 3).map(changeText).join('; ');
  const more = changes.length > 3 ? `; and ${changes.length - 3} more` : '';
  return `This link replays changes made while it trained: ${listed}${more}. Play applies each at its step (the dashed lines on the curves mark the β changes).`;
}

/**
 * The later changes of `key` that a change made at `step` replaced (they
 * were in `before`, not in `after`), said in a sentence, or null.
 */
export function replacedChanges(key, before, after, step) {
  const replaced = before.filter((c) => c.key === key && c.step >= step && !after.some((d) => d.step === c.step && d.key === key));
  if (!replaced.length) return null;
  return `Your change of ${nameOf(key)} replaces the link's later ones (${replaced.map(changeText).join('; ')}).`;
}

/**
 * What the page says when a change of `key` (one that does not change
 * live) started the run again though it had trained to `step`, or null.
 */
export function restartNote(key, step) {
  if (!(step > 0)) return null;
  return `Changing the ${nameOf(key)} started the run again from step 0 (it had trained ${step.toLocaleString('en')} steps): only β and the learning rate change while a run trains.`;
}
