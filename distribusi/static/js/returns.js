// The returns desk: each Enter (a USB scanner ends every code with one) adds the code to the form's hidden list
// at once and asks the server for the three lists; the input is cleared and keeps the focus, so the next scan
// can follow immediately. Answers that arrive late for an older list are dropped. "Selesai" posts normally.
(function () {
  "use strict";
  var form = document.getElementById("returns-form");
  if (!form) { return; }
  var input = document.getElementById("f-kode");
  var partner = document.getElementById("f-courier_partner_id");
  var store = document.getElementById("scanned-codes");
  var lists = document.getElementById("returns-lists");
  var url = form.getAttribute("data-lists-url");
  var latest = 0;

  function refresh() {
    var mine = ++latest;
    var body = new FormData(form);
    body.delete("kode");
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        // the desk answers its own refusals (409, 422) as a partial; anything else (an expired session or
        // CSRF token, a server error) is said in one line instead of pasting a whole page into the lists
        if (response.redirected || !(response.ok || response.status === 409 || response.status === 422)) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) { if (mine === latest) { lists.innerHTML = html; } })
      .catch(function () {
        if (mine !== latest) { return; }
        lists.innerHTML = '<div class="alert alert-danger" role="alert">Daftar tidak dapat dimuat (jaringan terputus ' +
          'atau sesi habis). Kode yang sudah dipindai tetap tersimpan di halaman ini: tekan Enter untuk mencoba lagi, ' +
          'atau Selesai untuk mencatatnya.</div>';
      });
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("data-finish")) { return; }
    event.preventDefault();
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (code) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "codes";
      hidden.value = code;
      store.appendChild(hidden);
    }
    refresh();
  });
  partner.addEventListener("change", function () { refresh(); input.focus(); });
})();
