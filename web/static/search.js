// The search page with JavaScript: results as the person types, name
// suggestions, and "near me". Without JavaScript the page is a plain form
// that works the same (the server renders every result).
//
// Instant results fetch the server-rendered page for the form's current
// values and swap in its #results, so that the cards, the escaping and the
// highlighting (<mark>, escaped by the server) are the server's own.
// Requests are debounced; each one aborts the one before, and an answer
// that is not the latest is dropped.
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  var results = document.getElementById('results');
  if (!form || !results || !window.fetch || !window.DOMParser) return;
  var input = form.elements.q;
  var list = document.getElementById('suggestions');
  var seq = 0, timer = null, inflight = null, lastQuery = null;

  function params() {
    var p = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
      if (el.value === '' && el.name !== 'q') return;
      p.append(el.name, el.value);
    });
    return p;
  }

  function show(html, url) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var fresh = doc.getElementById('results');
    if (!fresh) return false;
    results.replaceChildren.apply(results, Array.prototype.slice.call(fresh.childNodes).map(function (n) {
      return document.importNode(n, true);
    }));
    if (window.history && history.replaceState) history.replaceState(null, '', url);
    return true;
  }

  function run() {
    var p = params();
    var query = p.toString();
    if (query === lastQuery) return;
    lastQuery = query;
    var mine = ++seq;
    if (inflight) inflight.abort();
    inflight = window.AbortController ? new AbortController() : null;
    var url = '/search?' + query;
    fetch(url, { signal: inflight && inflight.signal, headers: { 'Accept': 'text/html' } }).then(function (resp) {
      if (mine !== seq) return null;
      if (resp.redirected) {
        // A licence or credit code: the shop's page. Offer it, do not
        // leave the page while the person is still typing.
        var a = document.createElement('a');
        a.href = resp.url;
        a.className = 'card result';
        a.textContent = '→ ' + input.value;
        results.replaceChildren(a);
        return null;
      }
      return resp.text();
    }).then(function (html) {
      if (html === null || html === undefined || mine !== seq) return; // stale
      show(html, url);
    }).catch(function () { /* aborted or offline: the form still submits */ });
  }

  function suggest() {
    if (!list) return;
    var q = input.value.trim();
    if (q === '') { list.replaceChildren(); return; }
    var mine = seq;
    fetch('/api/v1/shops/suggest?q=' + encodeURIComponent(q)).then(function (resp) {
      return resp.ok ? resp.json() : null;
    }).then(function (body) {
      if (!body || mine !== seq) return;
      list.replaceChildren.apply(list, body.suggestions.map(function (s) {
        var o = document.createElement('option');
        o.value = s.name; // text only: never HTML
        return o;
      }));
    }).catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { run(); suggest(); }, 250);
  }
  input.addEventListener('input', later);
  Array.prototype.forEach.call(form.querySelectorAll('select, input[type=checkbox]'), function (el) {
    el.addEventListener('change', function () { clearTimeout(timer); run(); });
  });
}());

// "Near me": asks the browser for its position and submits the form with
// lat and lng. Without JavaScript the button stays hidden.
(function () {
  'use strict';
  var btn = document.getElementById('near-me');
  if (!btn || !('geolocation' in navigator)) return;
  var form = btn.form;
  btn.hidden = false;
  function field(name, value) {
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  btn.addEventListener('click', function () {
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      field('lat', pos.coords.latitude.toFixed(5));
      field('lng', pos.coords.longitude.toFixed(5));
      field('radius_m', '2000');
      var sort = form.elements.sort;
      if (sort) {
        var o = document.createElement('option');
        o.value = 'distance';
        sort.appendChild(o);
        sort.value = 'distance';
      }
      form.submit();
    }, function () {
      btn.disabled = false;
      btn.textContent = btn.getAttribute('data-error');
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });
}());
