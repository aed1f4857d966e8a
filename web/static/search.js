// "Near me" for the search page: asks the browser for its position and
// submits the form with lat and lng. Without JavaScript the button stays
// hidden and the page works as a plain form.
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
      field('sort', 'distance');
      form.submit();
    }, function () {
      btn.disabled = false;
      btn.textContent = btn.getAttribute('data-error');
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });
}());
