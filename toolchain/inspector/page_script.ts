/**
 * The inspector page's only script (inline, plain JS): a search box that hides every
 * `.searchable` element (graph rows, kernels) whose text does not contain the query, and
 * buttons that open or close every <details>.
 */
export const INSPECTOR_SCRIPT = `
(function () {
  var search = document.getElementById('search');
  var count = document.getElementById('search-count');
  var items = Array.prototype.slice.call(document.querySelectorAll('.searchable'));
  var texts = items.map(function (el) { return el.textContent.toLowerCase(); });
  function filter() {
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (el, i) {
      var hit = q === '' || texts[i].indexOf(q) >= 0;
      el.classList.toggle('hidden', !hit);
      if (hit) shown++;
    });
    count.textContent = q === '' ? '' : shown + ' of ' + items.length + ' match';
  }
  search.addEventListener('input', filter);
  function setAll(open) {
    document.querySelectorAll('details').forEach(function (d) { d.open = open; });
  }
  document.getElementById('expand-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setAll(false); });
  document.body.dataset.ready = 'true';
})();
`;
