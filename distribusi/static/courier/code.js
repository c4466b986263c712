// Tracking codes, checked on the phone as distribusi/recap/codes.py checks them on the server:
// nine Crockford base32 characters and a position-weighted check character (sum modulo 31).
export const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BODY_LENGTH = 9;
const ALIASES = { I: "1", L: "1", O: "0" };

export function checkCharacter(body) {
  let total = 0;
  for (let i = 0; i < body.length; i++) total += (i + 1) * ALPHABET.indexOf(body[i]);
  return ALPHABET[total % 31];
}

// The canonical code of a typed code or a scanned label URL (<base>/k/<code>), or null when it is not valid.
export function normalize(raw) {
  let text = String(raw || "").replace(/\s+/g, "").replace(/-/g, "").toUpperCase()
    .replace(/[ILO]/g, (ch) => ALIASES[ch]);
  const at = text.lastIndexOf("/K/");
  if (at >= 0) text = text.slice(at + 3).replace(/\/+$/, "").split(/[?#]/)[0];
  if (text.length !== BODY_LENGTH + 1 || [...text].some((ch) => !ALPHABET.includes(ch))) return null;
  return checkCharacter(text.slice(0, BODY_LENGTH)) === text[BODY_LENGTH] ? text : null;
}

// ABCDE-FGHJK, as the label prints it.
export function display(code) {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
