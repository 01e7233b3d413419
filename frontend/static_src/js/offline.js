// Offline drafts for "Log a problem": a problem logged with no signal is kept on the phone
// (localStorage), listed as "not yet sent", and sent when the connection returns. Each draft
// carries its idempotency key (client_key), so the server logs it exactly once however often
// it is sent. Also registers the service worker and proposes the neighbourhood from position.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  // Keep this page's scripts and styles (and the field pages this person may open, with the
  // reference data in their forms) in the worker's cache, so they open with no signal. The pages
  // are named by base.html: "Log a problem" only for the roles that may log (no 403 fetched).
  if (window.caches && navigator.onLine) {
    const assets = [...document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]")].map((el) => el.src || el.href);
    const named = document.querySelector("script[data-jps-field-pages]");
    const pages = named ? named.dataset.jpsFieldPages.split(" ").filter(Boolean) : [];
    caches.open("jps-field-v1").then((cache) => Promise.all([...assets, ...pages].map((url) => cache.add(url).catch(() => null))));
  }
}

const STORE = "jps-drafts";
const form = document.querySelector("form[data-jps-offline]");

const load = () => JSON.parse(localStorage.getItem(STORE) || "[]");
const store = (drafts) => localStorage.setItem(STORE, JSON.stringify(drafts));
const newKey = () =>
  crypto.randomUUID ? crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

function announce(text) {
  const status = document.querySelector("[data-jps-drafts-status]");
  if (status) status.textContent = text;
}

function render() {
  const panel = document.querySelector("[data-jps-drafts]");
  if (!panel) return;
  const drafts = load();
  panel.hidden = drafts.length === 0;
  const list = panel.querySelector("ul");
  list.replaceChildren(
    ...drafts.map((draft) => {
      const item = document.createElement("li");
      item.textContent = `${draft.fields.title || "Untitled"} — not yet sent${draft.error ? " (the tracker refused it: open the form and log it again)" : ""}`;
      return item;
    }),
  );
}

let sending = false;
async function sendAll() {
  if (sending || !form || !navigator.onLine) return;
  sending = true;
  try {
    for (const draft of load()) {
      if (draft.error) continue;
      const body = new URLSearchParams(draft.fields);
      body.set("confirm_new", "1");
      const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
      body.set("csrfmiddlewaretoken", token);
      let response;
      try {
        response = await fetch(form.action, { method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": token } });
      } catch (error) {
        break; // still no signal: try again at the next "online"
      }
      const sent = response.ok && response.redirected && /\/problems\/\d+\/$/.test(new URL(response.url).pathname);
      const rest = load().filter((d) => d.fields.client_key !== draft.fields.client_key);
      if (!sent) rest.push({ ...draft, error: true });
      store(rest);
      announce(sent ? `Sent: "${draft.fields.title}" has been logged.` : `"${draft.fields.title}" was not accepted: please log it again.`);
      render();
    }
  } finally {
    sending = false;
  }
}

if (form) {
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form).entries());
    delete fields.csrfmiddlewaretoken;
    store([...load(), { fields, savedAt: new Date().toISOString() }]);
    form.reset();
    form.querySelector("[name=client_key]").value = newKey();
    render();
    announce("No signal: your problem is saved on this phone and will be sent when you are back online.");
  });
  window.addEventListener("online", sendAll);
  // The phone's position proposes the neighbourhood that contains it (online).
  form.addEventListener("jps:position", async (event) => {
    const { latitude, longitude } = event.detail;
    try {
      const response = await fetch(`/problems/new/neighbourhood/?latitude=${latitude}&longitude=${longitude}`, { credentials: "same-origin" });
      const place = await response.json();
      const select = form.querySelector("[name=neighbourhood]");
      if (place.id && select.querySelector(`option[value="${place.id}"]`)) {
        select.value = String(place.id);
        const status = form.querySelector("[data-jps-geolocate-status]");
        if (status) status.textContent += ` Neighbourhood proposed from your position: ${place.name}.`;
      }
    } catch (error) {
      // No signal: the officer chooses the neighbourhood.
    }
  });
  render();
  sendAll();
}
