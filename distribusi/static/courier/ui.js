// Small DOM helpers shared by the courier page's modules (text only through textContent: no HTML injection).
export const $ = (selector, root = document) => root.querySelector(selector);

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const settings = JSON.parse(document.body.dataset.settings || "{}");

export const ACTION_LABELS = {
  accept: "Terima dari Dinas",
  out_for_delivery: "Bawa untuk diantar",
  delivered: "Diterima penerima",
  failed: "Gagal antar",
  return: "Kembalikan ke Dinas",
};
export const TARGET = { accept: "with_courier", out_for_delivery: "out_for_delivery", delivered: "delivered",
                        failed: "failed_attempt", return: "returning" };
// The same moves as the server's workflow, to show the right buttons while offline.
export const ACTIONS = { packed: ["accept"], with_courier: ["out_for_delivery", "return"],
                         out_for_delivery: ["delivered", "failed"], failed_attempt: ["out_for_delivery", "return"] };

export function stateLabel(state) {
  return (settings.states || {})[state] || state;
}

let toastTimer = null;
export function toast(text, kind = "info") {
  const box = $("#toast");
  box.textContent = text;
  box.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.className = "toast"; }, 6000);
}

export function addressLine(card) {
  const a = card.address || {};
  return [a.street, a.rt && `RT ${a.rt}/RW ${a.rw}`, a.kelurahan && `Kel. ${a.kelurahan}`,
          a.kecamatan && `Kec. ${a.kecamatan}`, a.city].filter(Boolean).join(", ");
}

export function showView(name) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
  for (const tab of document.querySelectorAll(".tabs button")) {
    if (tab.dataset.go === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  document.dispatchEvent(new CustomEvent("view", { detail: name }));
}
