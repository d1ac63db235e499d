// A table wider than the screen scrolls sideways inside Material's wrapper: the wrapper takes the
// keyboard focus (tabindex 0) so that it can be scrolled without a mouse (axe:
// scrollable-region-focusable). Shipped with the site; nothing fetched.
(function () {
  function focusable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "表格（可左右滚动）");
      }
    });
  }
  if (window.document$) window.document$.subscribe(function () { setTimeout(focusable, 0); });
  window.addEventListener("load", focusable);
  window.addEventListener("resize", focusable);
})();
