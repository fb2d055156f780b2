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
  addEventListener('load', start);
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
