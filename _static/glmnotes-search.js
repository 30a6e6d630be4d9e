/* Search results: snippets from the page's words, not from the TeX source of its formulas.
   Sphinx builds a result's summary from the page's HTML, where a formula is still its TeX
   (\( ... \), \begin{aligned} ...) until MathJax typesets it: drop formulas before that. */
(function () {
  "use strict";
  function install() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.glmnotes) return;
    const original = Search.htmlToText;
    const withoutMath = function (htmlString, anchor) {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc
        .querySelectorAll(".math, .glmnotes-derivation, .glmnotes-formula, mjx-container, .eqno")
        .forEach((node) => node.replaceWith(doc.createTextNode(" ")));
      return original.call(this, doc.documentElement.outerHTML, anchor);
    };
    withoutMath.glmnotes = true;
    Search.htmlToText = withoutMath;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();
