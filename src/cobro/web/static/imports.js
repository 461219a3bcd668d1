// The imports page posts its form with htmx and shows the answer below it. A refusal (413
// too large, 415 not CSV/Excel, 422 bad rows or options) is a page to show as well, not an
// error to drop: htmx swaps only 2xx answers unless told otherwise.
(function () {
  "use strict";
  var SHOWN = [413, 415, 422];
  document.addEventListener("htmx:beforeSwap", function (event) {
    // the target the answer goes into (the result area below the form) says it wants them
    var target = event.detail.target;
    var wanted = target && target.closest ? target.closest("[data-swap-errors]") : null;
    if (wanted && SHOWN.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
