// Sending the queue: /api/v1/scans/batch with the session cookie and the CSRF token, one result per item;
// then the proof-of-delivery photos. A lost session keeps the queue and asks the courier to log in again.
import * as queue from "./queue.js";

const BATCH = "/api/v1/scans/batch";
const CHUNK = 100;
let busy = null;

export class LoginNeeded extends Error {}

function token() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

async function refreshToken() {
  const response = await fetch(document.body.dataset.scope + "csrf.json", { credentials: "same-origin",
                                                                            cache: "no-store" });
  if (response.status === 401) throw new LoginNeeded();
  if (!response.ok) throw new Error("Token CSRF tidak bisa diambil.");
  document.querySelector('meta[name="csrf-token"]').content = (await response.json()).csrf_token;
}

// POST with the CSRF header; an expired token is fetched again once, an expired login raises LoginNeeded.
export async function post(url, body, isJson = true) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = { "X-CSRFToken": token(), Accept: "application/json" };
    if (isJson) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method: "POST", credentials: "same-origin", headers,
                                        body: isJson ? JSON.stringify(body) : body });
    if (response.status === 401) throw new LoginNeeded();
    if (response.status === 400 && attempt === 0) {
      const answer = await response.clone().json().catch(() => ({}));
      if (answer.error && answer.error.code === "csrf") { await refreshToken(); continue; }
    }
    return response;
  }
  throw new Error("Token CSRF ditolak.");
}

export function explain(status, error) {
  const message = (error && error.message) || "";
  if (status === 409) {
    return `Ditolak karena status kiriman sudah berubah (409): ${message} ` +
      "Mungkin sudah dicatat dari perangkat lain, atau aksi sebelumnya belum tercatat. Buka kiriman untuk melihat statusnya.";
  }
  if (status === 404) return `Ditolak (404): ${message || "kiriman tidak ditemukan atau bukan milik mitra Anda."}`;
  const fields = error && error.fields ? Object.values(error.fields).flat().join(" ") : "";
  return `Ditolak (${status}): ${message} ${fields}`.trim();
}

// Recorded by the courier logged in now (another courier's actions on a shared phone wait for them).
function mine(item) {
  return !item.user || item.user === document.body.dataset.user;
}

async function sendScans() {
  const waiting = (await queue.items()).filter((item) => item.state === "waiting" && mine(item));
  for (let start = 0; start < waiting.length; start += CHUNK) {
    const chunk = waiting.slice(start, start + CHUNK);
    const response = await post(BATCH, { scans: chunk.map((item) => item.payload) });
    if (!response.ok) throw new Error(`Server menjawab ${response.status}.`);
    const { results } = await response.json();
    for (const { index, status, result, error } of results) {
      const item = chunk[index];
      item.status = status;
      if (status === 200 || status === 201) {
        item.result = result;
        item.eventId = result.event_id;
        item.state = item.photo ? "photo" : "sent";
        item.message = `Tercatat: ${result.status_label}${status === 200 ? " (sudah tercatat sebelumnya)" : ""}`;
      } else {
        item.state = "refused";
        item.message = explain(status, error);
      }
      await queue.save(item);
    }
  }
}

async function sendPhotos() {
  for (const item of (await queue.items()).filter((entry) => entry.state === "photo" && mine(entry))) {
    const form = new FormData();
    form.append("file", item.photo, "bukti.jpg");
    const response = await post(`/api/v1/scans/${item.eventId}/photo`, form, false);
    if (response.status === 201) {
      item.state = "sent";
      item.message += " · foto terkirim";
    } else if (response.status >= 400 && response.status < 500) {
      const answer = await response.json().catch(() => ({}));
      item.state = "sent";
      item.message += ` · foto ditolak: ${(answer.error && answer.error.message) || response.status}`;
    } else {
      throw new Error(`Foto belum terkirim (${response.status}).`);
    }
    item.photo = item.state === "sent" ? null : item.photo;
    await queue.save(item);
  }
}

// Send whatever waits; one run at a time. Resolves to {sent, error}.
export function sync() {
  if (busy) return busy;
  busy = (async () => {
    try {
      await sendScans();
      await sendPhotos();
      return { ok: true };
    } catch (error) {
      return { ok: false, loginNeeded: error instanceof LoginNeeded, error };
    } finally {
      busy = null;
    }
  })();
  return busy;
}
