// The phone's own store (IndexedDB): the queue of scan actions waiting to be sent, and the last data read,
// so that the page works with no signal and nothing is lost when the page or the phone restarts.
const DB_NAME = "distribusi-kurir";
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDb() {
  if (!opened) {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      const queue = db.createObjectStore("queue", { keyPath: "key" });
      queue.createIndex("seq", "seq");
      db.createObjectStore("kv");
    };
    opened = request(req);
  }
  return opened;
}

async function store(name, mode) {
  const db = await openDb();
  return db.transaction(name, mode).objectStore(name);
}

// A fresh idempotency key made on the phone (the server accepts [A-Za-z0-9._:-]{8,100}).
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Queue item: {key, seq, user, payload (the scan as sent), photo (Blob|null), state, result, eventId, message}
// states: waiting (not sent), photo (event recorded, photo not uploaded yet), sent, refused (409/404/422).
// An item is sent only by the user who recorded it: idempotency keys are per user on the server.
export async function enqueue(payload, photo = null, user = null) {
  const item = { key: payload.idempotency_key, seq: Date.now() + Math.random(), user, payload, photo,
                 state: "waiting", result: null, eventId: null, message: "" };
  await request((await store("queue", "readwrite")).put(item));
  return item;
}

export async function items() {
  const all = await request((await store("queue", "readonly")).index("seq").getAll());
  return all;
}

export async function save(item) {
  return request((await store("queue", "readwrite")).put(item));
}

export async function remove(key) {
  return request((await store("queue", "readwrite")).delete(key));
}

export const PENDING = ["waiting", "photo"];

export async function pendingCount() {
  return (await items()).filter((item) => PENDING.includes(item.state)).length;
}

// Forget sent items after a week; keep the refused ones until the courier dismisses them.
export async function prune(maxAgeMs = 7 * 24 * 3600 * 1000) {
  const now = Date.now();
  for (const item of await items()) {
    if (item.state === "sent" && now - item.seq > maxAgeMs) await remove(item.key);
  }
}

export async function getValue(name) {
  return request((await store("kv", "readonly")).get(name));
}

export async function setValue(name, value) {
  return request((await store("kv", "readwrite")).put(value, name));
}
