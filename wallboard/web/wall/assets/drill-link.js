/* A click or tap on a wall panel with drill: true opens its drill page (/panel/<id>), whose
 * address the server put in the panel root's data-drill attribute. */
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var panel = ev.target && ev.target.closest ? ev.target.closest("[data-drill]") : null;
    if (!panel || ev.defaultPrevented || ev.button !== 0) return;
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { window.open(panel.dataset.drill, "_blank"); return; }
    window.location.assign(panel.dataset.drill);
  });
})();
