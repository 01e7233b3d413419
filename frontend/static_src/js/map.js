// The neighbourhood map: Leaflet over the list. If Leaflet or its tiles cannot load, the list stays the page.
const container = document.getElementById("jps-map");
const data = JSON.parse(document.getElementById("jps-map-data").textContent);
const note = document.getElementById("jps-map-note");
const points = data.points;
const centre = data.centre || (points.length ? { lat: points[0].lat, lng: points[0].lng } : null);

if (window.L && container && centre) {
  container.hidden = false;
  const map = window.L.map(container).setView([centre.lat, centre.lng], 15);
  const tiles = window.L.tileLayer(container.dataset.tiles, {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap contributors",
  }).addTo(map);
  let failed = false;
  tiles.on("tileerror", () => {
    if (failed) return;
    failed = true;
    note.hidden = false;
    note.textContent = "The map background could not be loaded. The problems are listed below.";
  });
  const bounds = [];
  for (const point of points) {
    const marker = window.L.marker([point.lat, point.lng], { title: `${point.reference} ${point.title}`, alt: point.reference });
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = `${point.reference}: ${point.title}`;
    marker.bindPopup(link).addTo(map);
    bounds.push([point.lat, point.lng]);
  }
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24] });
}
