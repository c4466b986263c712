// The lists of the courier page: today's parcels (search, order), the handover being scanned in, and the queue.
import { display, normalize } from "./code.js";
import * as queue from "./queue.js";
import { Camera, cameraError } from "./scanner.js";
import { $, ACTION_LABELS, TARGET, addressLine, h, settings, stateLabel, toast } from "./ui.js";

const SCOPE = document.body.dataset.scope;
const STATE_ORDER = ["out_for_delivery", "with_courier", "failed_attempt", "packed", "delivered", "returning", "returned"];
let page = null;  // {record, openParcel, handleText} from app.js
let mine = [];
let handovers = [];
let handoverCamera = null;
let lastSeen = { code: null, at: 0 };

async function getJson(path, kvName) {
  try {
    const response = await fetch(SCOPE + path, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new TypeError(String(response.status));
    const answer = await response.json();
    await queue.setValue(kvName, answer);
    return { answer, offline: false };
  } catch (error) {
    return { answer: await queue.getValue(kvName), offline: true };
  }
}

async function pendingByCode() {
  const map = {};
  for (const item of await queue.items()) {
    if (queue.PENDING.includes(item.state)) (map[item.payload.tracking_code] ||= []).push(item.payload.action);
  }
  return map;
}

// ---- Kiriman saya ----
export async function refreshMine() {
  const { answer, offline } = await getJson("kiriman.json", "mine");
  mine = (answer && answer.parcels) || [];
  const cards = (await queue.getValue("parcels")) || {};
  for (const card of mine) cards[card.code] = card;
  await queue.setValue("parcels", cards);
  $("#mine-status").textContent = offline ? "Luring: daftar terakhir yang tersimpan di ponsel." : "";
  await renderMine();
}

async function sorted(list) {
  const order = $("#mine-order").value;
  if (order === "name") return [...list].sort((a, b) => a.recipient_name.localeCompare(b.recipient_name, "id"));
  if (order === "kecamatan") return list;  // the server's order: kecamatan, kelurahan, street
  const route = (await queue.getValue("route")) || [];
  const rank = (code) => { const i = route.indexOf(code); return i < 0 ? route.length : i; };
  return [...list].sort((a, b) => rank(a.code) - rank(b.code));
}

async function move(code, step) {
  const list = (await sorted(mine)).map((card) => card.code);
  const from = list.indexOf(code);
  const to = from + step;
  if (from < 0 || to < 0 || to >= list.length) return;
  list.splice(to, 0, list.splice(from, 1)[0]);
  await queue.setValue("route", list);
  await renderMine();
  const target = document.querySelector(`[data-code="${code}"] .move-${step < 0 ? "up" : "down"}`);
  if (target) target.focus();
}

export async function renderMine() {
  const term = $("#mine-search").value.trim().toLowerCase();
  const pending = await pendingByCode();
  const shown = (await sorted(mine)).map((card) => {
    const actions = pending[card.code];
    return actions ? { ...card, status: TARGET[actions[actions.length - 1]], waiting: true } : card;
  }).filter((card) => !term || [card.code, card.recipient_name, addressLine(card)].join(" ").toLowerCase()
    .includes(term.replace(/-/g, "")) || (normalize(term) === card.code));
  const routeOrder = $("#mine-order").value === "route";
  const groups = STATE_ORDER.map((state) => [state, shown.filter((card) => card.status === state)])
    .filter(([, cards]) => cards.length);
  const list = $("#mine-list");
  list.replaceChildren(...groups.map(([state, cards]) => h("section", { class: "group" },
    h("h2", {}, `${stateLabel(state)} (${cards.length})`),
    h("ul", { class: "parcels" }, cards.map((card) => h("li", { "data-code": card.code, draggable: routeOrder },
      h("button", { type: "button", class: "row", onclick: () => page.openParcel(card.code) },
        h("strong", {}, card.recipient_name), h("span", { class: "code" }, display(card.code)),
        h("span", { class: "muted" }, `Kec. ${card.kecamatan} · ${card.kelurahan}`),
        card.waiting ? h("span", { class: "badge waiting" }, "menunggu dikirim") : null),
      routeOrder ? h("span", { class: "move" },
        h("button", { type: "button", class: "move-up", "aria-label": `Naikkan ${card.recipient_name}`,
                      onclick: () => move(card.code, -1) }, "▲"),
        h("button", { type: "button", class: "move-down", "aria-label": `Turunkan ${card.recipient_name}`,
                      onclick: () => move(card.code, 1) }, "▼")) : null))))));
  if (!groups.length) list.replaceChildren(h("p", { class: "muted" }, term ? "Tidak ada yang cocok." : "Belum ada kiriman hari ini."));
}

function enableDragging() {
  let dragged = null;
  const list = $("#mine-list");
  list.addEventListener("dragstart", (event) => { dragged = event.target.closest("li"); });
  list.addEventListener("dragover", (event) => event.preventDefault());
  list.addEventListener("drop", async (event) => {
    event.preventDefault();
    const target = event.target.closest("li");
    if (!dragged || !target || target === dragged) return;
    const codes = (await sorted(mine)).map((card) => card.code);
    codes.splice(codes.indexOf(dragged.dataset.code), 1);
    codes.splice(codes.indexOf(target.dataset.code), 0, dragged.dataset.code);
    await queue.setValue("route", codes);
    renderMine();
  });
}

// ---- Serah terima: continuous scanning ----
async function refreshHandovers() {
  const { answer, offline } = await getJson("serah-terima.json", "handovers");
  handovers = (answer && answer.handovers) || [];
  const pick = $("#handover-pick");
  const chosen = pick.value;
  pick.replaceChildren(...handovers.map((ho) => h("option", { value: ho.id },
    `${ho.recap_number} · ${ho.letter_number} (${ho.total} kiriman)`)));
  if (chosen) pick.value = chosen;
  if (!handovers.length) pick.replaceChildren(h("option", { value: "" }, offline ? "Luring — belum ada data" : "Tidak ada serah terima terbuka"));
  await renderHandover();
}

function chosenHandover() {
  return handovers.find((ho) => String(ho.id) === $("#handover-pick").value) || handovers[0];
}

// Still missing: not accepted on the server when last read, nor by an accept on this phone since (queued or sent).
async function missingCodes(ho) {
  const accepted = new Set((await queue.items())
    .filter((item) => item.payload.action === "accept" && item.state !== "refused")
    .map((item) => item.payload.tracking_code));
  return ho.not_accepted.filter((code) => !accepted.has(code));
}

async function renderHandover() {
  const ho = chosenHandover();
  if (!ho) { $("#handover-count").textContent = ""; $("#handover-missing").replaceChildren(); return; }
  const missing = await missingCodes(ho);
  $("#handover-count").textContent = `diterima ${ho.total - missing.length} dari ${ho.total}`;
  $("#handover-missing").replaceChildren(...missing.map((code) => h("li", {}, display(code))));
  if (!missing.length) $("#handover-missing").replaceChildren(h("li", { class: "muted" }, "Semua kiriman sudah diterima."));
}

async function acceptInHandover(code, said) {
  const ho = chosenHandover();
  if (!ho) return;
  const now = Date.now();
  if (code === lastSeen.code && now - lastSeen.at < 3000) return;  // the same label still in front of the camera
  lastSeen = { code, at: now };
  if (!ho.codes.includes(code)) { said.textContent = `${display(code)} bukan bagian serah terima ini.`; return; }
  if (!(await missingCodes(ho)).includes(code)) { said.textContent = `${display(code)} sudah diterima.`; return; }
  await page.record(code, "accept", {});
  said.textContent = `✓ ${display(code)} diterima.`;
  if (navigator.vibrate) navigator.vibrate(80);
  await renderHandover();
}

async function startHandoverCamera() {
  $("#handover-camera").hidden = false;
  $("#handover-scan").hidden = true;
  handoverCamera = new Camera($("#handover-video"), (text) => {
    const code = normalize(text);
    if (code) acceptInHandover(code, $("#handover-last"));
  });
  try {
    await handoverCamera.start();
  } catch (error) {
    stopHandoverCamera();
    $("#handover-error").textContent = cameraError(error);
  }
}

export function stopHandoverCamera() {
  if (handoverCamera) handoverCamera.stop();
  handoverCamera = null;
  $("#handover-camera").hidden = true;
  $("#handover-scan").hidden = false;
}

// ---- Antrean ----
const STATE_TEXT = { waiting: "Menunggu dikirim", photo: "Menunggu foto terkirim", sent: "Terkirim", refused: "Ditolak" };

export async function renderQueue() {
  const all = (await queue.items()).reverse();
  $("#queue-list").replaceChildren(...all.map((item) => h("li", { class: `q q-${item.state}` },
    h("strong", {}, `${ACTION_LABELS[item.payload.action]} · ${display(item.payload.tracking_code)}`),
    h("span", { class: "q-state" }, STATE_TEXT[item.state]),
    item.message ? h("p", { class: "q-msg" }, item.message) : null,
    item.user && item.user !== document.body.dataset.user && queue.PENDING.includes(item.state)
      ? h("p", { class: "q-msg" }, "Dicatat oleh akun kurir lain di ponsel ini; dikirim saat akun itu masuk.") : null,
    item.state === "refused" ? h("button", { type: "button", class: "btn-link",
      onclick: async () => { await queue.remove(item.key); renderQueue(); } }, "Hapus dari daftar") : null)));
  if (!all.length) $("#queue-list").replaceChildren(h("li", { class: "muted" }, "Antrean kosong."));
}

export function initLists(app) {
  page = app;
  $("#mine-search").addEventListener("input", renderMine);
  $("#mine-order").addEventListener("change", renderMine);
  enableDragging();
  $("#handover-pick").addEventListener("change", renderHandover);
  $("#handover-scan").addEventListener("click", startHandoverCamera);
  $("#handover-stop").addEventListener("click", stopHandoverCamera);
  $("#handover-manual").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = page.handleText($("#handover-code").value, $("#handover-error"));
    if (code) { $("#handover-code").value = ""; await acceptInHandover(code, $("#handover-last")); }
  });
  document.addEventListener("view", (event) => {
    if (event.detail !== "handover") stopHandoverCamera();
    if (event.detail === "mine") refreshMine();
    if (event.detail === "handover") refreshHandovers();
    if (event.detail === "queue") renderQueue();
  });
  if (!settings.relations) toast("Pengaturan kantor belum termuat.", "warn");
}
