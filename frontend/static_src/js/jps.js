// Progressive enhancement for the JPS staff interface. Every page works without this file.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// "Use my current position" on the log-a-problem form: fills latitude and longitude.
for (const block of document.querySelectorAll("[data-jps-geolocate]")) {
  if (!("geolocation" in navigator)) continue;
  const form = block.closest("form");
  const status = block.querySelector("[data-jps-geolocate-status]");
  block.hidden = false;
  block.querySelector("button").addEventListener("click", () => {
    status.textContent = "Finding your position…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        status.textContent = `Position added (accurate to about ${Math.round(position.coords.accuracy)} m).`;
        form.dispatchEvent(new CustomEvent("jps:position", { detail: { latitude: position.coords.latitude, longitude: position.coords.longitude } }));
      },
      (error) => {
        status.textContent = `Could not get your position (${error.message}). Type the street instead.`;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

// "Print this page" links (a good-practice write-up): a listener, not an onclick attribute,
// which the Content Security Policy would refuse.
for (const link of document.querySelectorAll("[data-jps-print]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
}

// A step that answers the previous one (the duplicate question): focus its heading, so a screen
// reader starts there and a phone shows it first.
document.querySelector("[data-jps-focus]")?.focus();
