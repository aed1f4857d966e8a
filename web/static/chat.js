// The web chat: posts each message to /api/v1/chat and shows the replies.
// No inline code (CSP); the session id lives in this browser only.
(function () {
  'use strict';
  var log = document.getElementById('chat');
  var form = document.getElementById('chat-form');
  var input = document.getElementById('chat-text');
  var geo = document.getElementById('chat-geo');
  if (!log || !form || !window.fetch) return;
  form.hidden = false; // shown only where this script runs: no dead controls without it
  var lang = log.getAttribute('data-lang') || 'zh';
  var shop = log.getAttribute('data-shop');

  function newId(n) {
    var a = new Uint8Array(n);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var session;
  try {
    session = window.localStorage.getItem('shian-chat');
    if (!session) { session = newId(16); window.localStorage.setItem('shian-chat', session); }
  } catch (e) { session = newId(16); }

  function bubble(cls) {
    var div = document.createElement('div');
    div.className = 'msg ' + cls;
    log.appendChild(div);
    return div;
  }
  function show(reply) {
    var div = bubble('bot');
    if (reply.text) div.appendChild(document.createTextNode(reply.text));
    (reply.cards || []).forEach(function (c) {
      var a = document.createElement('a');
      a.className = 'card';
      a.href = c.url;
      var b = document.createElement('b');
      b.textContent = (c.n ? c.n + '. ' : '') + c.name;
      a.appendChild(b);
      var line = (c.face ? c.face + ' ' : '') + c.grade_label + (c.grade_date ? ' (' + c.grade_date + ')' : '') +
        (c.annual ? ' · ' + c.annual : '') + ' · ' + c.district;
      a.appendChild(document.createTextNode(line));
      div.appendChild(a);
      if (c.actions && c.actions.length) actionButtons(div, c.actions);
    });
    if (reply.choices && reply.choices.length) choiceButtons(div, reply.choices);
    if (reply.ask_location && geo) geo.hidden = !('geolocation' in navigator);
    log.scrollTop = log.scrollHeight;
  }
  function choiceButtons(div, choices) {
    var box = document.createElement('div');
    box.className = 'choices';
    choices.forEach(function (ch) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = ch.n + '. ' + ch.label;
      btn.addEventListener('click', function () { send({ text: String(ch.n) }, String(ch.n)); });
      box.appendChild(btn);
    });
    div.appendChild(box);
  }
  // A card's actions: pick it, complain about it (a message), its page (a link).
  function actionButtons(div, actions) {
    var box = document.createElement('div');
    box.className = 'choices';
    actions.forEach(function (act) {
      var el;
      if (act.text) {
        el = document.createElement('button');
        el.type = 'button';
        el.addEventListener('click', function () { send({ text: act.text }, act.label); });
      } else {
        el = document.createElement('a');
        el.href = act.url;
      }
      el.textContent = act.label;
      box.appendChild(el);
    });
    div.appendChild(box);
  }
  function send(body, echo) {
    if (echo) bubble('me').textContent = echo;
    body.session = session;
    body.lang = lang;
    body.msg_id = newId(8);
    var attempt = function (n) {
      return fetch('/api/v1/chat', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
      }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).catch(function (e) {
        // The same msg_id makes a retry safe: the bot answers it once.
        if (n > 0) return new Promise(function (ok) { setTimeout(ok, 800); }).then(function () { return attempt(n - 1); });
        throw e;
      });
    };
    attempt(1).then(function (data) { (data.replies || []).forEach(show); })
      .catch(function () { bubble('bot').textContent = log.getAttribute('data-error'); });
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    send({ text: text }, text);
  });
  if (geo) {
    geo.hidden = !('geolocation' in navigator);
    geo.addEventListener('click', function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        send({ location: { lat: +pos.coords.latitude.toFixed(5), lng: +pos.coords.longitude.toFixed(5) } }, '📍');
      }, function () { bubble('bot').textContent = log.getAttribute('data-nogeo'); },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
    });
  }
  // Opened from a shop's page: start with that shop in context, no retyping.
  if (shop) send({ shop: shop });
  else send({ text: lang === 'en' ? 'hello' : lang === 'ru' ? 'привет' : '你好' });
}());
