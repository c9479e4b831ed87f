// MathJax 3 settings for pymdownx.arithmatex (generic mode). MathJax itself is
// served from this site (assets/mathjax/), never from a CDN. Every page is a full
// page load (no instant navigation), so MathJax's own startup typesets it, once.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};
