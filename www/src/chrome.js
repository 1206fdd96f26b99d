// The page around the views: the intro (collapsible, its state remembered
// in this browser), the controls' drawer on narrow screens and the
// dialogs' buttons.

const INTRO_KEY = 'ibp-playground:intro';

/** Opens or closes the intro as the visitor left it (closed on phones
 * unless they opened it). `folded`: closed whatever they left it as (an
 * embed, a lesson, a shared experiment: what they came for comes first). */
export function mountIntro(details, { folded }) {
  const collapsed = window.matchMedia('(max-width: 700px)').matches;
  let saved = null;
  try {
    saved = localStorage.getItem(INTRO_KEY);
  } catch {
    // storage disabled: the default applies
  }
  details.open = folded ? false : saved ? saved === 'open' : !collapsed;
  details.addEventListener('toggle', () => {
    try {
      localStorage.setItem(INTRO_KEY, details.open ? 'open' : 'closed');
    } catch {
      // nothing to remember it in
    }
  });
}

/** On narrow screens the controls slide in from the side. */
export function mountDrawer(drawer, toggle, close) {
  const set = (open) => {
    drawer.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) drawer.querySelector('select, input, button:not(.drawer-close)')?.focus();
    else if (document.activeElement && drawer.contains(document.activeElement)) toggle.focus();
  };
  toggle.addEventListener('click', () => set(!drawer.classList.contains('open')));
  close.addEventListener('click', () => set(false));
  drawer.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') set(false);
  });
}

/**
 * The dialogs' Close, Cancel and Use buttons (`data-close`, their `value`
 * the dialog's returnValue) close it by script: a <form method="dialog">
 * does nothing in a course page's sandboxed iframe without allow-forms.
 */
export function mountDialogButtons(root = document) {
  for (const button of root.querySelectorAll('dialog button[data-close]')) {
    button.addEventListener('click', () => /** @type {HTMLDialogElement} */ (button.closest('dialog')).close(/** @type {HTMLButtonElement} */ (button).value));
  }
}
