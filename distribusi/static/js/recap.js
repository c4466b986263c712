// Recap pages. No inline code: the CSP allows only files of our own.

// A list's "tick all" box ticks or clears every box of its name, in the capture phase so that htmx (listening on
// the list) reads the form after the boxes changed; ticking one box by hand keeps the "tick all" box truthful.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-check-all]");
  if (all) {
    document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
    return;
  }
  var name = event.target.name;
  var head = name && document.querySelector('[data-check-all="' + name + '"]');
  if (head) {
    head.checked = !document.querySelector('input[type="checkbox"][name="' + name + '"]:not(:checked)');
  }
}, true);

// The recap page: the chosen label layout goes into the "Unduh label" link, so the download stays one click.
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-label-layout]");
  if (!select) return;
  var link = document.getElementById(select.dataset.labelLayout);
  link.href = link.dataset.base + "?layout=" + encodeURIComponent(select.value);
});
