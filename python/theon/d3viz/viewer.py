"""The d3viz page: HTML skeleton, style and script, inlined into every page it writes
(kept in a .py file so that the package installs it like any module).

The script works on the SVG Graphviz made: every node is a <g class="node"> whose id is
Theon's node id (n<k> apply node, v<k> variable) and whose tooltip holds its details.
Zoom and pan change the SVG's viewBox; an expanded fused kernel is a panel holding the
kernel's own SVG (from a <template>), kept next to its node as the view moves.
"""
import re

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>@TITLE@</title>
<style>
@CSS@
</style>
</head>
<body>
<div id="theon-toolbar">
  <strong>@TITLE@</strong>
  <button id="theon-fit" type="button">Fit</button>
  <button id="theon-expand-all" type="button">Expand fused</button>
  <button id="theon-collapse-all" type="button">Collapse fused</button>
  <span class="theon-hint">wheel: zoom &middot; drag: pan &middot; hover: details &middot;
  click a fused kernel: its expression</span>
</div>
<div id="theon-viewport">
@SVG@
</div>
<div id="theon-details" hidden></div>
<div id="theon-templates" hidden>
@TEMPLATES@
</div>
<script>
@SCRIPT@
</script>
</body>
</html>
"""

CSS = """
html, body { margin: 0; height: 100%; font-family: Helvetica, Arial, sans-serif; }
body { display: flex; flex-direction: column; }
#theon-toolbar { padding: 6px 10px; background: #f4f4f4; border-bottom: 1px solid #ccc; }
#theon-toolbar button { margin-left: 8px; }
.theon-hint { margin-left: 16px; color: #777; font-size: 12px; }
#theon-viewport { flex: 1; position: relative; overflow: hidden; cursor: grab; background: white; }
#theon-viewport.theon-dragging { cursor: grabbing; }
#theon-viewport > svg { width: 100%; height: 100%; display: block; }
g.theon-node:hover polygon, g.theon-node:hover ellipse, g.theon-node:hover path { stroke-width: 3; }
g.theon-fused { cursor: pointer; }
g.theon-expanded polygon, g.theon-expanded path { stroke: #c00; stroke-width: 3; }
#theon-details { position: fixed; max-width: 420px; padding: 6px 8px; background: #ffffe8;
  border: 1px solid #999; font-size: 12px; white-space: pre-wrap; pointer-events: none; z-index: 10; }
.theon-inner { position: absolute; background: rgba(255, 248, 250, 0.97); border: 2px solid #c37;
  border-radius: 6px; padding: 2px 4px 4px; z-index: 5; box-shadow: 2px 2px 6px rgba(0, 0, 0, 0.25); }
.theon-inner-title { font-size: 11px; color: #933; cursor: pointer; }
.theon-inner svg { display: block; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var viewport = document.getElementById("theon-viewport");
  var svg = viewport.querySelector("svg");
  var details = document.getElementById("theon-details");
  var XLINK = "http://www.w3.org/1999/xlink";

  // The whole drawing, in SVG units: what "Fit" shows.
  var full = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width
      ? {x: svg.viewBox.baseVal.x, y: svg.viewBox.baseVal.y,
         w: svg.viewBox.baseVal.width, h: svg.viewBox.baseVal.height}
      : {x: 0, y: 0, w: svg.width.baseVal.value, h: svg.height.baseVal.value};
  var view = {x: full.x, y: full.y, w: full.w, h: full.h};
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");

  function apply() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
    placeInner();
  }

  // A screen point as SVG user coordinates of the current view.
  function toSvg(clientX, clientY) {
    var p = svg.createSVGPoint();
    p.x = clientX; p.y = clientY;
    var m = svg.getScreenCTM();
    return m ? p.matrixTransform(m.inverse()) : {x: view.x, y: view.y};
  }

  viewport.addEventListener("wheel", function (e) {
    e.preventDefault();
    var k = Math.exp(e.deltaY * 0.0015);
    var at = toSvg(e.clientX, e.clientY);
    var w = Math.min(Math.max(view.w * k, full.w / 50), full.w * 20);
    var s = w / view.w;
    view.x = at.x - (at.x - view.x) * s;
    view.y = at.y - (at.y - view.y) * s;
    view.w = w;
    view.h = view.h * s;
    apply();
  }, {passive: false});

  var drag = null;
  viewport.addEventListener("mousedown", function (e) {
    if (e.button !== 0 || e.target.closest(".theon-inner")) return;
    drag = {x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false};
    viewport.classList.add("theon-dragging");
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    var m = svg.getScreenCTM();
    var scale = m ? m.a : 1;
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) drag.moved = true;
    view.x = drag.vx - (e.clientX - drag.x) / scale;
    view.y = drag.vy - (e.clientY - drag.y) / scale;
    apply();
  });
  window.addEventListener("mouseup", function () {
    if (drag) viewport.classList.remove("theon-dragging");
    window.setTimeout(function () { drag = null; }, 0);
  });

  // Node details: Graphviz put each tooltip on an <a> inside the node; keep it as
  // data and show it in our panel instead of the browser's slow native tooltip.
  var nodes = Array.prototype.slice.call(svg.querySelectorAll("g.node"));
  nodes.forEach(function (g) {
    var text = "";
    var link = g.querySelector("a");
    if (link) {
      text = link.getAttributeNS(XLINK, "title") || link.getAttribute("title") || "";
      link.removeAttributeNS(XLINK, "title");
      link.removeAttribute("title");
    }
    var title = g.querySelector("title");
    if (title) title.parentNode.removeChild(title);
    g.classList.add("theon-node");
    g.setAttribute("data-node-id", g.id);
    g.setAttribute("data-details", text);
    g.addEventListener("mouseenter", function (e) {
      details.textContent = text || g.id;
      details.hidden = false;
      moveDetails(e);
    });
    g.addEventListener("mousemove", moveDetails);
    g.addEventListener("mouseleave", function () { details.hidden = true; });
  });
  function moveDetails(e) {
    details.style.left = (e.clientX + 14) + "px";
    details.style.top = (e.clientY + 14) + "px";
  }

  // Fused kernels: click to show their inner expression next to them, click again to hide.
  var inner = {};
  function expand(g) {
    var template = document.getElementById("theon-fused-" + g.id);
    if (!template || inner[g.id]) return;
    var panel = document.createElement("div");
    panel.className = "theon-inner";
    panel.setAttribute("data-fused-of", g.id);
    var head = document.createElement("div");
    head.className = "theon-inner-title";
    head.textContent = "fused kernel " + g.id + " (click to collapse)";
    head.addEventListener("click", function () { collapse(g); });
    panel.appendChild(head);
    panel.appendChild(document.importNode(template.content, true));
    viewport.appendChild(panel);
    inner[g.id] = {panel: panel, node: g};
    g.classList.add("theon-expanded");
    placeInner();
  }
  function collapse(g) {
    var entry = inner[g.id];
    if (!entry) return;
    entry.panel.parentNode.removeChild(entry.panel);
    delete inner[g.id];
    g.classList.remove("theon-expanded");
  }
  // Panels follow their node and the zoom: an inner picture is drawn at the scale of
  // the main one (both are in Graphviz's points).
  function placeInner() {
    var box = viewport.getBoundingClientRect();
    var m = svg.getScreenCTM();
    var scale = m ? m.a : 1;
    Object.keys(inner).forEach(function (id) {
      var r = inner[id].node.getBoundingClientRect();
      var panel = inner[id].panel;
      panel.style.left = (r.right - box.left + 8) + "px";
      panel.style.top = (r.top - box.top) + "px";
      var picture = panel.querySelector("svg");
      if (picture && picture.viewBox && picture.viewBox.baseVal && picture.viewBox.baseVal.width) {
        picture.style.width = (picture.viewBox.baseVal.width * scale) + "px";
        picture.style.height = (picture.viewBox.baseVal.height * scale) + "px";
      }
    });
  }
  var fused = nodes.filter(function (g) { return g.classList.contains("theon-fused"); });
  fused.forEach(function (g) {
    g.addEventListener("click", function () {
      if (drag && drag.moved) return;
      if (inner[g.id]) collapse(g); else expand(g);
    });
  });

  document.getElementById("theon-fit").addEventListener("click", function () {
    view = {x: full.x, y: full.y, w: full.w, h: full.h};
    apply();
  });
  document.getElementById("theon-expand-all").addEventListener("click", function () {
    fused.forEach(expand);
  });
  document.getElementById("theon-collapse-all").addEventListener("click", function () {
    fused.forEach(collapse);
  });
  window.addEventListener("resize", placeInner);

  apply();
  // page.html#expand-fused opens with every fused kernel expanded (for links and tests).
  if (window.location.hash === "#expand-fused") fused.forEach(expand);
  document.body.setAttribute("data-theon-nodes", String(nodes.length));
  document.body.setAttribute("data-theon-fused", String(fused.length));
  document.body.setAttribute("data-theon-ready", "1");
})();
"""


def page(title, svg, templates):
    """The complete HTML page. `title` is already HTML-escaped. One pass of substitution,
    so that no inserted text is searched for markers again."""
    parts = {"TITLE": title, "CSS": CSS, "SCRIPT": SCRIPT, "SVG": svg, "TEMPLATES": templates}
    return re.sub(r"@(TITLE|CSS|SCRIPT|SVG|TEMPLATES)@", lambda m: parts[m.group(1)], PAGE)
