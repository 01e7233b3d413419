// Report a problem: a map to tap, the phone's position, and the neighbourhood proposed as soon as it is known.
// Progressive enhancement: without this script (or Leaflet) the form takes a postcode, and the server finds the team.
(function () {
  const form = document.getElementById("report-form");
  const tools = document.getElementById("report-map-tools");
  const container = document.getElementById("report-map");
  const proposed = document.getElementById("report-proposed");
  const postcode = document.getElementById("id_postcode");
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  if (!form || !container || !lat || !lng) return;
  const where = container.dataset.where;
  let marker = null;
  let map = null;

  function propose(params) {
    fetch(`${where}?${new URLSearchParams(params)}`, { headers: { Accept: "application/json" } })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
      .then(({ ok, body }) => {
        proposed.textContent = ok
          ? `Your report will go to the ${body.neighbourhood} neighbourhood team.`
          : "That is outside our area. Check the postcode, or choose another point.";
        if (ok && body.point && map && !lat.value) map.setView(body.point, 16);
      })
      .catch(() => { proposed.textContent = ""; });
  }

  function choose(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    if (map) {
      if (marker) marker.setLatLng([latitude, longitude]);
      else marker = window.L.marker([latitude, longitude], { alt: "The place you chose" }).addTo(map);
      map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
    }
    propose({ lat: lat.value, lng: lng.value });
  }

  if (window.L) {
    tools.hidden = false;
    map = window.L.map(container).setView([51.28, 1.08], 11);
    window.L.tileLayer(container.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    map.on("click", (event) => choose(event.latlng.lat, event.latlng.lng));
  }
  const locate = document.getElementById("report-locate");
  if (locate && "geolocation" in navigator) {
    tools.hidden = false;
    locate.addEventListener("click", () => {
      proposed.textContent = "Finding where you are…";
      navigator.geolocation.getCurrentPosition(
        (position) => choose(position.coords.latitude, position.coords.longitude),
        () => { proposed.textContent = "We could not find where you are. Enter a postcode instead."; },
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });
  } else if (locate) {
    locate.parentElement.hidden = !window.L;
  }
  if (postcode) {
    postcode.addEventListener("change", () => {
      if (!postcode.value.trim()) return;
      lat.value = "";
      lng.value = "";
      if (marker && map) { map.removeLayer(marker); marker = null; }
      propose({ postcode: postcode.value });
    });
  }
})();
