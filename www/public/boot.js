// The page's first script: classic (not a module) and loaded before the
// bundle, so that it runs where the bundle cannot. When the page cannot
// start it says why and what to do, instead of an endless "starting…":
//
// - an opaque origin (an iframe sandboxed without allow-same-origin, as in
//   many course platforms and notebook renderers): the browser refuses the
//   page's modules, worker and WebAssembly there;
// - the bundle or its stylesheet failing to load (a missing file, a host
//   that answers with a web page, a Content-Security-Policy);
// - a script error before the page has started (a browser that lacks what
//   the page needs).
//
// It also keeps the messages an embedding page posts before the bundle runs
// (`ibpBoot.takeMessages()`). The bundle calls `ibpBoot.started()` once it
// runs and `ibpBoot.fail(title, text)` for what it detects itself. The message replaces the page, whose
// controls could not work. The message is styled from here (the
// stylesheet may be what failed), through the CSSOM, which the page's
// Content-Security-Policy allows.
(function () {
  'use strict';
  var started = false;
  var shown = false;

  /** The page's own address without its embed options: the full page. */
  function fullPage() {
    var url = new URL(location.href);
    ['embed', 'controls', 'autoplay', 'parent', 'views'].forEach(function (key) { url.searchParams.delete(key); });
    return url.href;
  }

  function styled(tag, style, text) {
    var node = document.createElement(tag);
    Object.assign(node.style, style);
    if (text) node.textContent = text;
    return node;
  }

  /** Puts the failure at the top of the page, once. */
  function show(title, text) {
    if (shown) return;
    shown = true;
    var render = function () {
      var box = styled('div', {
        margin: '12px', padding: '12px 14px', border: '2px solid #a3161a', borderRadius: '6px',
        background: '#fff4f4', color: '#3b0b0c', font: '15px/1.45 system-ui, sans-serif', maxWidth: '46em',
      });
      box.setAttribute('role', 'alert');
      box.dataset.testid = 'boot-failure';
      box.append(styled('h2', { font: 'bold 17px/1.3 system-ui, sans-serif', margin: '0 0 6px' }, title));
      box.append(styled('p', { margin: '0 0 8px' }, text));
      var link = styled('a', { color: '#0b3d91', wordBreak: 'break-all' }, fullPage());
      link.href = fullPage();
      link.target = '_blank';
      link.rel = 'noopener';
      var open = styled('p', { margin: '0' }, 'The playground on its own page: ');
      open.append(link);
      open.append(document.createTextNode(' (if the link does not open here, copy the address into a new tab)'));
      box.append(open);
      // The rest of the page cannot work: the message stands alone.
      Array.prototype.forEach.call(document.body.children, function (child) {
        if (child.tagName !== 'SCRIPT' && child.tagName !== 'DIALOG') child.hidden = true;
      });
      document.body.prepend(box);
    };
    if (document.body) render();
    else document.addEventListener('DOMContentLoaded', render);
  }

  // Messages from the page around an embed, kept from the first moment:
  // the embed API (embed.js) takes them over and carries them out in order.
  // The page around is told at once that commands may be sent (they wait
  // for `ready`); the message carries nothing but that.
  var early = [];
  var keep = function (event) { early.push(event); };
  window.addEventListener('message', keep);
  if (window.parent !== window) {
    try {
      window.parent.postMessage({ ibp: 'loading' }, '*');
    } catch (e) {
      // no page around to tell
    }
  }

  window.ibpBoot = {
    started: function () { started = true; },
    fail: show,
    takeMessages: function () {
      window.removeEventListener('message', keep);
      return early.splice(0);
    },
  };

  if (self.origin === 'null') {
    show('This embed needs allow-same-origin',
      'The page is in an iframe sandboxed without allow-same-origin, where the browser refuses its scripts, its worker and its WebAssembly. '
      + 'Give the iframe sandbox="allow-scripts allow-same-origin" (the playground then runs in its own origin, apart from the course page), '
      + 'or open the playground on its own page.');
    return;
  }

  // A script or stylesheet of the page that fails to load, or a script
  // error before the page has started.
  window.addEventListener('error', function (event) {
    if (started) return;
    var target = event.target;
    if (target && (target.tagName === 'SCRIPT' || target.tagName === 'LINK')) {
      var what = target.src || target.href || 'a file';
      show('The page could not load one of its files',
        what + ' did not load (missing, blocked, or answered with a web page instead of the file). '
        + 'Reload; if it happens again, the site is missing files or its host blocks them: tell whoever published it.');
    } else if (event.error || event.message) {
      show('This browser could not run the page',
        'A script failed before the page started (' + (event.message || event.error) + '). '
        + 'The playground needs a recent browser: Chrome or Edge 91+, Firefox 89+, Safari 16.4+.');
    }
  }, true);
}());
