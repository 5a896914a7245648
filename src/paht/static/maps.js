/* Maps with Leaflet. The tile layer comes from PAHT_MAP_TILES_URL (<body data-tiles>); with none, the map still
   shows markers and lets a user pick a point, on a plain background. */
(function () {
  "use strict";
  if (!window.L) return;
  var body = document.body;
  var center = (body.dataset.center || "16.4637,107.5909").split(",").map(Number);

  // Ward and commune outlines (paht.places), when the city has loaded them: orientation without a tile server.
  var areas = null;
  function outlines(map) {
    if (!areas) {
      areas = fetch("/api/v1/areas.geojson", { headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    }
    areas.then(function (collection) {
      if (!collection || !collection.features || !collection.features.length) return;
      L.geoJSON(collection, {
        interactive: false,
        style: { color: "#5b6675", weight: 1, opacity: 0.6, fillColor: "#0b4f8a", fillOpacity: 0.03 }
      }).addTo(map).bringToBack();
    });
  }

  function baseMap(el, zoom) {
    var map = L.map(el, { scrollWheelZoom: false, maxZoom: 19 }).setView(center, zoom || 13);
    if (body.dataset.tiles) {
      L.tileLayer(body.dataset.tiles, { maxZoom: 19, attribution: body.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    outlines(map);
    return map;
  }

  function marker(lat, lon) {
    return L.circleMarker([lat, lon], { radius: 9, color: "#0b4f8a", weight: 3, fillColor: "#2e7dd1", fillOpacity: 0.8 });
  }

  function fresh(root, selector) {
    return Array.prototype.filter.call(root.querySelectorAll(selector), function (el) {
      if (el.dataset.ready) return false;
      el.dataset.ready = "1";
      return true;
    });
  }

  function init(root) {
  // A single point: <div class="map" data-point="lat,lon">
  fresh(root, ".map[data-point]").forEach(function (el) {
    var point = el.dataset.point.split(",").map(Number);
    var map = baseMap(el, 16);
    map.setView(point, 16);
    marker(point[0], point[1]).addTo(map);
  });

  // Picking a point: <div class="map" data-pick data-lat-input=ID data-lon-input=ID data-locate-button=ID>
  fresh(root, ".map[data-pick]").forEach(function (el) {
    var lat = document.getElementById(el.dataset.latInput);
    var lon = document.getElementById(el.dataset.lonInput);
    var status = document.getElementById(el.dataset.status);
    var map = baseMap(el, 14);
    var chosen = null;
    function place(a, b, pan) {
      lat.value = a.toFixed(6);
      lon.value = b.toFixed(6);
      if (chosen) chosen.setLatLng([a, b]); else chosen = marker(a, b).addTo(map);
      if (pan) map.setView([a, b], Math.max(map.getZoom(), 16));
      if (status) status.textContent = lat.value + ", " + lon.value;
    }
    if (lat.value && lon.value) place(Number(lat.value), Number(lon.value), true);
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
    var locate = document.getElementById(el.dataset.locateButton);
    if (locate) {
      if (!navigator.geolocation) locate.classList.add("hidden");
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          place(pos.coords.latitude, pos.coords.longitude, true);
        }, function () {
          if (status) status.textContent = locate.dataset.failed || "";
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
    var clear = document.getElementById(el.dataset.clearButton);
    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = ""; lon.value = "";
        if (chosen) { map.removeLayer(chosen); chosen = null; }
        if (status) status.textContent = status.dataset.empty || "";
      });
    }
  });

  // Many results: <div class="map" data-markers-url="/ket-qua/ban-do.json?...">
  fresh(root, ".map[data-markers-url]").forEach(function (el) {
    var map = baseMap(el, 13);
    var group = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    map.addLayer(group);
    fetch(el.dataset.markersUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (items) {
        items.forEach(function (item) {
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.code + " — " + item.title;
          var m = L.marker([item.lat, item.lon], { title: item.code });
          m.bindPopup(link);
          group.addLayer(m);
        });
        el.dataset.count = String(items.length);
        if (items.length) map.fitBounds(group.getBounds(), { maxZoom: 16, padding: [20, 20] });
      });
  });
  }

  init(document);
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
