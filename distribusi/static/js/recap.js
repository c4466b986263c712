// Recap pages: the "tick all" box of a list ticks or clears every box of its name, before htmx (listening on the list) reads the form.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-check-all]");
  if (!all) return;
  var boxes = document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]');
  boxes.forEach(function (box) { box.checked = all.checked; });
}, true);
