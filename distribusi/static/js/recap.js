// Recap pages: the "tick all" box of a list ticks or clears every box of its name, before htmx (listening on the list) reads the form.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-check-all]");
  if (!all) return;
  var boxes = document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]');
  boxes.forEach(function (box) { box.checked = all.checked; });
}, true);

// The recap page: the chosen label layout goes into the "Unduh label" link, so the download stays one click.
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-label-layout]");
  if (!select) return;
  var link = document.getElementById(select.dataset.labelLayout);
  link.href = link.dataset.base + "?layout=" + encodeURIComponent(select.value);
});
