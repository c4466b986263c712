// The import form: refuse a file past the upload limit before sending it, and send the form once only
// (a second click would import nothing and answer with every row "already registered").
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var maxBytes = parseInt(input.getAttribute("data-max-bytes") || "0", 10);

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    input.setCustomValidity(file && maxBytes && file.size > maxBytes ? input.getAttribute("data-too-big") : "");
    input.reportValidity();
  });

  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending") === "1" || !form.checkValidity()) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "1");
    button.setAttribute("aria-disabled", "true");
    button.classList.add("disabled");
    button.textContent = button.getAttribute("data-sending-text");
  });
})();
