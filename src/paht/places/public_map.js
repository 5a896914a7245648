/* The public map (/ban-do): reloads the published reports of the visible box whenever the map moves,
   clusters them with leaflet.markercluster, and draws the ward outlines. No inline script (CSP). */
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  if (!el || !window.L) return;
  var body = document.body;
  var center = (body.dataset.center || "16.4637,107.5909").split(",").map(Number);
  var map = L.map(el, { maxZoom: 19 }).setView(center, 14);
  if (body.dataset.tiles) {
    L.tileLayer(body.dataset.tiles, { maxZoom: 19, attribution: body.dataset.attribution || "" }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var group = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
  map.addLayer(group);
  var count = document.getElementById("public-map-count");
  var truncated = document.getElementById("public-map-truncated");

  fetch(el.dataset.areasUrl).then(function (r) { return r.json(); }).then(function (areas) {
    L.geoJSON(areas, {
      style: { color: "#0b4f8a", weight: 1, fillOpacity: 0.04 },
      onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
    }).addTo(map);
  });

  var pending = null;
  function load() {
    var params = new URLSearchParams({ bbox: map.getBounds().toBBoxString(), lang: el.dataset.lang || "vi" });
    if (el.dataset.q) params.set("q", el.dataset.q);
    if (el.dataset.category) params.set("category_id", el.dataset.category);
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(el.dataset.reportsUrl + "?" + params.toString(), { signal: pending.signal })
      .then(function (r) { return r.json(); })
      .then(function (collection) {
        group.clearLayers();
        (collection.features || []).forEach(function (feature) {
          var p = feature.properties;
          var link = document.createElement("a");
          link.href = "/ket-qua/" + encodeURIComponent(p.code);
          link.textContent = p.code + " — " + (p.title || "");
          var c = feature.geometry.coordinates;
          group.addLayer(L.marker([c[1], c[0]], { title: p.code }).bindPopup(link));
        });
        el.dataset.count = String((collection.features || []).length);
        if (count) count.textContent = el.dataset.count;
        if (truncated) truncated.classList.toggle("hidden", !collection.truncated);
      })
      .catch(function () { /* a newer request replaced this one */ });
  }
  map.on("moveend", load);
  load();
})();
