// The courier's phone page: scan or type a code, see the parcel card, record actions into the offline queue.
import { display, normalize } from "./code.js";
import * as queue from "./queue.js";
import { Camera, cameraError } from "./scanner.js";
import { sync } from "./sync.js";
import { $, ACTION_LABELS, ACTIONS, TARGET, addressLine, h, settings, showView, stateLabel, toast } from "./ui.js";
import { initLists, refreshMine, renderQueue } from "./lists.js";

const body = document.body;
const SCOPE = body.dataset.scope;
let camera = null;
let current = null;  // the card on screen

// ---- Parcel data: from the server, else from what the phone kept ----
async function cachedCards() {
  return (await queue.getValue("parcels")) || {};
}

export async function keepCards(cards) {
  const all = await cachedCards();
  for (const card of cards) all[card.code] = card;
  await queue.setValue("parcels", all);
}

// The card with the actions still waiting in the queue applied on top.
async function withPending(card) {
  const pending = (await queue.items()).filter((item) => queue.PENDING.includes(item.state)
    && item.payload.tracking_code === card.code);
  if (!pending.length) return { ...card, pending: 0 };
  const status = TARGET[pending[pending.length - 1].payload.action];
  return { ...card, status, status_label: stateLabel(status), actions: ACTIONS[status] || [], pending: pending.length };
}

async function loadCard(code) {
  try {
    const response = await fetch(`${SCOPE}kiriman/${code}.json`, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) { loginNeeded(true); throw new TypeError("login"); }
    const answer = await response.json();
    if (!response.ok) return { refused: answer.error ? answer.error.message : `Ditolak (${response.status}).` };
    await keepCards([answer]);
    return { card: answer };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const card = (await cachedCards())[code];
    if (card) return { card, offline: true };
    return { card: { code, display: display(code), status: "unknown", status_label: "Tidak diketahui (luring)",
                     documents: [], actions: Object.keys(TARGET), unknown: true }, offline: true };
  }
}

export async function openParcel(code) {
  showView("scan");
  const box = $("#parcel");
  box.hidden = false;
  box.replaceChildren(h("p", { class: "muted" }, `Membuka ${display(code)}…`));
  const { card, refused, offline } = await loadCard(code);
  if (refused) {
    current = null;
    box.replaceChildren(h("p", { class: "alert alert-error", role: "alert" }, refused));
    return;
  }
  current = await withPending(card);
  renderCard(current, offline);
  box.scrollIntoView({ block: "start" });
}

function renderCard(card, offline) {
  const box = $("#parcel");
  const phone = card.phone ? h("a", { href: `tel:${card.phone}`, class: "btn btn-light phone" }, `Telepon ${card.phone}`) : null;
  box.replaceChildren(...[
    h("h2", {}, card.recipient_name || "Kiriman"),
    h("p", { class: "code" }, card.display || display(card.code)),
    h("p", { class: `state state-${card.status}`, "data-testid": "state" },
      card.status_label, card.pending ? ` · ${card.pending} aksi menunggu dikirim` : ""),
    offline ? h("p", { class: "muted" }, card.unknown
      ? "Luring: data kiriman belum tersimpan di ponsel. Aksi tetap diantrekan dan diperiksa server saat terkirim."
      : "Luring: data terakhir yang tersimpan di ponsel.") : null,
    card.address ? h("p", { class: "address" }, addressLine(card)) : null,
    phone,
    card.documents.length ? h("div", {}, h("h3", {}, "Isi kiriman"),
      h("ul", { class: "docs" }, card.documents.map((d) => h("li", {}, h("strong", {}, d.type_label), ` — ${d.owner_name}`)))) : null,
    card.failed_attempts ? h("p", { class: "muted" }, `Gagal antar ${card.failed_attempts} kali.`) : null,
    h("div", { class: "actions" }, card.actions.length
      ? card.actions.map((action) => h("button", { type: "button", class: `btn action-${action}`,
                                                  onclick: () => startAction(card, action) }, ACTION_LABELS[action]))
      : h("p", { class: "muted" }, "Tidak ada aksi untuk status ini.")),
    h("div", { id: "action-form" }),
  ].filter(Boolean));
}

// ---- Actions ----
function fill(select, options) {
  select.replaceChildren(...options.map((o) => h("option", { value: o.value }, o.label)));
}

function startAction(card, action) {
  if (!["delivered", "failed"].includes(action)) {
    record(card.code, action, {}).then(() => openParcel(card.code));
    return;
  }
  const form = $(`#tpl-${action}`).content.firstElementChild.cloneNode(true);
  if (action === "delivered") {
    form.elements.recipient_name.value = card.recipient_name || "";
    fill(form.elements.recipient_relation, settings.relations || []);
    form.querySelector(".delivery-code-field").hidden = !settings.delivery_code;
    form.elements.delivery_code.required = !!settings.delivery_code;
  } else {
    fill(form.elements.failure_reason, [{ value: "", label: "— pilih alasan —" }, ...(settings.reasons || [])]);
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); submitAction(card, action, form); });
  $("#action-form").replaceChildren(form);
  form.querySelector("input, select").focus();
}

async function submitAction(card, action, form) {
  const f = form.elements;
  const error = form.querySelector(".error");
  const extra = { note: f.note.value.trim() || null };
  if (action === "delivered") {
    extra.recipient_name = f.recipient_name.value.trim();
    extra.recipient_relation = f.recipient_relation.value;
    if (!extra.recipient_name) { error.textContent = "Nama penerima wajib diisi."; return; }
    if (extra.recipient_relation === "other" && !extra.note) { error.textContent = "Jelaskan hubungan penerima pada catatan."; return; }
    if (settings.delivery_code) {
      extra.delivery_code = f.delivery_code.value.trim();
      if (!/^[0-9]{6}$/.test(extra.delivery_code)) { error.textContent = "Masukkan kode serah terima 6 angka dari penerima."; return; }
    }
  } else {
    extra.failure_reason = f.failure_reason.value;
    if (!extra.failure_reason) { error.textContent = "Pilih alasan gagal antar."; return; }
    if (extra.failure_reason === "other" && !extra.note) { error.textContent = "Jelaskan alasan lainnya pada catatan."; return; }
  }
  form.querySelector("button[type=submit]").disabled = true;
  if (f.with_location.checked) Object.assign(extra, await position());
  const file = f.photo && f.photo.files[0];
  const photo = file ? await shrink(file).catch(() => null) : null;
  if (file && !photo) toast("Foto tidak bisa diproses; penyerahan dicatat tanpa foto.", "warn");
  await record(card.code, action, extra, photo);
  await openParcel(card.code);
}

function position() {
  if (!navigator.geolocation) return Promise.resolve({});
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    (pos) => resolve({ lat: +pos.coords.latitude.toFixed(6), lon: +pos.coords.longitude.toFixed(6) }),
    () => { toast("Lokasi tidak tersedia; dicatat tanpa lokasi.", "warn"); resolve({}); },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }));
}

// A photo made small on the phone (long side 1280 px, JPEG) before it waits in the queue or goes up.
async function shrink(file, longSide = 1280) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, longSide / Math.max(bitmap.width, bitmap.height));
  const canvas = h("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject()), "image/jpeg", 0.8));
}

async function deviceId() {
  let id = await queue.getValue("device");
  if (!id) { id = `hp-${queue.newKey().slice(0, 12)}`; await queue.setValue("device", id); }
  return id;
}

// Put one action in the queue (its idempotency key made here), then try to send it.
export async function record(code, action, extra, photo = null) {
  const payload = { tracking_code: code, action, idempotency_key: queue.newKey(), at: new Date().toISOString(),
                    device_id: await deviceId() };
  for (const [name, value] of Object.entries(extra)) if (value !== null && value !== undefined && value !== "") payload[name] = value;
  const item = await queue.enqueue(payload, photo, body.dataset.user);
  await updateBadge();
  toast(`${ACTION_LABELS[action]} ${display(code)}: disimpan${navigator.onLine ? ", mengirim…" : ". Dikirim saat ada sinyal."}`);
  if (navigator.onLine) await sendQueue(item.key);
  return item;
}

// ---- Queue sending and status ----
export async function updateBadge() {
  const count = await queue.pendingCount();
  $("#badge").textContent = String(count);
  $("#badge").classList.toggle("waiting", count > 0);
}

function loginNeeded(show) {
  $("#login-needed").hidden = !show;
}

export async function sendQueue(focusKey = null) {
  const outcome = await sync();
  loginNeeded(Boolean(outcome.loginNeeded));
  await updateBadge();
  await renderQueue();
  if (focusKey) {
    const item = (await queue.items()).find((entry) => entry.key === focusKey);
    if (item && item.state === "refused") toast(item.message, "error");
    else if (item && item.state !== "waiting") toast(item.message, "success");
  }
  return outcome;
}

function showNet() {
  const net = $("#net");
  net.textContent = navigator.onLine ? "Daring" : "Luring";
  net.classList.toggle("offline", !navigator.onLine);
}

// ---- Scan and manual entry ----
function handleText(text, errorBox) {
  const code = normalize(text);
  if (!code) {
    errorBox.textContent = "Kode tidak sah — periksa kembali ketikan (karakter terakhir adalah karakter cek).";
    return null;
  }
  errorBox.textContent = "";
  return code;
}

async function startCamera() {
  $("#camera").hidden = false;
  $("#scan-start").hidden = true;
  camera = new Camera($("#camera-video"), (text) => {
    const code = normalize(text);
    if (!code) { $("#camera-status").textContent = "QR terbaca, tetapi bukan label kiriman."; return; }
    stopCamera();
    openParcel(code);
  });
  try {
    await camera.start();
  } catch (error) {
    stopCamera();
    $("#manual-error").textContent = cameraError(error);
  }
}

function stopCamera() {
  if (camera) camera.stop();
  camera = null;
  $("#camera").hidden = true;
  $("#scan-start").hidden = false;
}

function init() {
  $("#scan-start").addEventListener("click", startCamera);
  $("#scan-stop").addEventListener("click", stopCamera);
  $("#manual").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = handleText($("#manual-code").value, $("#manual-error"));
    if (code) { $("#manual-code").value = ""; openParcel(code); }
  });
  for (const link of document.querySelectorAll("[data-go]")) {
    link.addEventListener("click", (event) => { event.preventDefault(); stopCamera(); showView(link.dataset.go); });
  }
  $("#queue-send").addEventListener("click", () => sendQueue());
  // logging out forgets the cached page (it holds the courier's name); the queue stays for its owner
  $(".logout").addEventListener("submit", () => {
    if (window.caches) caches.keys().then((names) => names.forEach((name) => caches.open(name).then((c) => c.delete(SCOPE))));
  });
  window.addEventListener("online", () => { showNet(); sendQueue(); });
  window.addEventListener("offline", showNet);
  document.addEventListener("queue-changed", updateBadge);
  showNet();
  initLists({ record, openParcel, handleText });
  updateBadge();
  queue.prune();
  // /kurir/?kode=… (a label opened by the phone's camera app); offline the cached page has no code filled in
  const opened = body.dataset.openCode || normalize(new URLSearchParams(location.search).get("kode"));
  if (opened) openParcel(opened);
  if (navigator.onLine) sendQueue().then(() => refreshMine());
  setInterval(() => { if (navigator.onLine) sendQueue(); }, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: SCOPE }).catch(() => {});
  }
  body.dataset.readyAt = String(Math.round(performance.now()));
  body.dataset.ready = "1";
}

init();
