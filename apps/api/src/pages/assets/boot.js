(function () {
  var d = document;
  var b = d.body;
  var started = false;
  function start() {
    if (started) return;
    started = true;
    var s = d.createElement('script');
    s.type = 'module';
    s.src = b.dataset.script;
    d.head.appendChild(s);
  }
  // After the load event, once the first product image (the largest paint on a phone) has
  // painted: on a busy phone it can paint after `load`, and a request started before the largest
  // paint counts against it (in Lighthouse too). The browser's largest-paint entry for the image
  // says so; without one (a larger text on a desktop, a failed image, no such API), the image's
  // decode and two frames, plus a margin where the entry may still come. A hidden tab runs no
  // frames: the timer starts the script there.
  function afterLargestPaint() {
    var img = d.querySelector('img[fetchpriority="high"]');
    if (!img) return start();
    var PO = window.PerformanceObserver;
    var lcp = PO && (PO.supportedEntryTypes || []).indexOf('largest-contentful-paint') >= 0;
    if (lcp) {
      new PO(function (list) {
        list.getEntries().forEach(function (e) {
          if (e.element === img) start();
        });
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    }
    function frames() {
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          setTimeout(start, lcp ? 500 : 0);
        });
      });
    }
    (img.decode ? img.decode() : Promise.resolve()).then(frames, frames);
    setTimeout(start, 3000);
  }
  addEventListener('load', afterLargestPaint);
  d.addEventListener('pointerdown', start, { once: true, passive: true });
  d.addEventListener('focusin', start, { once: true });
  d.addEventListener(
    'click',
    function (e) {
      var t = e.target && e.target.closest ? e.target.closest('button[data-product]') : null;
      if (t && !b.dataset.ready) {
        b.dataset.pending = t.dataset.product;
        start();
      }
    },
    true,
  );
})();
