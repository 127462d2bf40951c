// Interactive chart runtime, bundled by esbuild into assets/js/vega-runtime.js at build time.
// It upgrades each static chart figure to a live Vega view drawn from the precompiled spec.
// No eval: expressions run through vega-interpreter, so a strict CSP without 'unsafe-eval' holds.
import { View, parse } from "vega";
import { expressionInterpreter } from "vega-interpreter";
import { Handler } from "vega-tooltip";

const views = new Map(); // figure element -> { view, host, variant }
const specs = new Map(); // URL -> Promise<spec>

function currentScheme() {
  return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
}

// Which of the chart's layouts fits: the same media queries the static <picture> uses (only
// embed pages have a wide layout).
function currentVariant(figure) {
  const matches = (media) => Boolean(media) && window.matchMedia(media).matches;
  const layout = matches(figure.dataset.narrowMedia) ? "-narrow" : matches(figure.dataset.wideMedia) ? "-wide" : "";
  return `${currentScheme()}${layout}`;
}

function datasetKey(variant) {
  // "dark-narrow" -> data-vega-dark-narrow -> dataset.vegaDarkNarrow
  return "vega" + variant.split("-").map((part) => part[0].toUpperCase() + part.slice(1)).join("");
}

function fetchSpec(url) {
  if (!specs.has(url)) {
    specs.set(
      url,
      fetch(url).then((response) => {
        if (!response.ok) throw new Error(`chart spec ${url}: HTTP ${response.status}`);
        return response.json();
      }),
    );
  }
  return specs.get(url);
}

// One drawing at a time per figure: two breakpoints crossed at once (an embed resized from
// wide to narrow) must not leave two live views in one frame.
const drawing = new Map(); // figure element -> Promise of its latest drawing
function render(figure) {
  const next = (drawing.get(figure) || Promise.resolve()).catch(() => {}).then(() => draw(figure));
  drawing.set(figure, next);
  return next;
}

async function draw(figure) {
  const variant = currentVariant(figure);
  const scheme = currentScheme();
  const existing = views.get(figure);
  if (existing && existing.variant === variant) return;
  const url = figure.dataset[datasetKey(variant)];
  const spec = await fetchSpec(url);
  const host = document.createElement("div");
  host.className = "btc-chart__view";
  // The frame around it is the chart for assistive technology (role="img", named by the written
  // description); the drawing's axis labels and marks would only be a jumble of words.
  host.setAttribute("aria-hidden", "true");
  const tooltip = new Handler({ theme: scheme, disableDefaultStyle: true });
  const view = new View(parse(spec, null, { ast: true }), {
    expr: expressionInterpreter,
    renderer: "svg",
    container: host,
    hover: true,
    tooltip: tooltip.call,
  });
  await view.runAsync();
  // Swap only once the new view has drawn, so the picture never blinks or moves.
  const frame = figure.querySelector(".btc-chart__frame");
  frame.appendChild(host);
  if (existing) {
    existing.view.finalize();
    existing.host.remove();
  }
  const entry = { view, host, variant, tooltip, frame, index: -1 };
  views.set(figure, entry);
  figure.classList.add("btc-chart--interactive");
}

// Marks and their tooltips -------------------------------------------------------------------

// The view's marks that carry a tooltip, in the order they were drawn (the data's order), one per
// distinct tooltip text (a bar and its label share one).
function marks(entry) {
  const found = [];
  const seen = new Set();
  const walk = (node) => {
    if (!node) return;
    if (node.items) for (const item of node.items) walk(item);
    if (node.tooltip != null && node._svg && node.mark && node.mark.marktype !== "group") {
      const text = tooltipText(node.tooltip);
      const box = node._svg.getBoundingClientRect();
      if (text && !seen.has(text) && (box.width > 0 || box.height > 0)) {
        seen.add(text);
        found.push({ item: node, text });
      }
    }
  };
  walk(entry.view.scenegraph().root);
  return found;
}

function tooltipText(value) {
  if (value == null) return "";
  if (typeof value !== "object") return String(value);
  return Object.entries(value).map(([key, text]) => (key === "title" ? String(text) : `${key}: ${text}`)).join("; ");
}

function showTooltip(entry, event, item) {
  entry.tooltip.call(entry.view, event, item, item.tooltip);
  shown = entry;
  // vega-tooltip flips a tooltip to the left of the point when it would overflow on the right;
  // on a phone that pushes it off the left edge instead. Keep it on screen.
  const element = document.getElementById("vg-tooltip-element");
  if (element) {
    const width = element.getBoundingClientRect().width;
    const left = parseFloat(element.style.left) || 0;
    element.style.left = `${Math.max(4, Math.min(left, window.innerWidth - width - 4))}px`;
  }
}

function hideTooltip() {
  if (shown) shown.tooltip.call(shown.view, {}, null, null);
  shown = null;
}

let shown = null; // the view whose tooltip a tap or a key opened

// The scenegraph item drawn by an element of a live view (Vega's SVG renderer links them).
function itemAt(target) {
  let item = target && target.__data__;
  item = Array.isArray(item) ? item[0] : item;
  return item && item.tooltip != null ? item : null;
}

function entryOf(target) {
  const figure = target instanceof Element ? target.closest("figure.btc-chart") : null;
  return figure ? views.get(figure) : undefined;
}

// Touch: a tap fires no pointermove, which is what Vega shows tooltips on. A tap on a mark shows
// its tooltip; a tap anywhere else closes it.
document.addEventListener("pointerdown", (event) => {
  if (event.pointerType !== "mouse") hideTooltip();
}, { capture: true, passive: true });
document.addEventListener("click", (event) => {
  if (event.pointerType === "mouse") return;
  const entry = entryOf(event.target);
  const item = entry && itemAt(event.target);
  if (item) showTooltip(entry, event, item);
});

function tapAt(tap) {
  const target = document.elementFromPoint(tap.x, tap.y);
  const entry = entryOf(target);
  const item = entry && itemAt(target);
  if (item) showTooltip(entry, { clientX: tap.x, clientY: tap.y }, item);
}

// Keyboard: the chart's frame is a tab stop; arrow keys move a focus ring from mark to mark and
// a live region reads each mark's tooltip text; Escape leaves the marks.
const live = document.createElement("p");
live.className = "btc-visually-hidden btc-chart__announce";
live.setAttribute("aria-live", "polite");
live.setAttribute("role", "status");

function announce(text) {
  if (!live.isConnected) document.body.appendChild(live);
  live.textContent = text;
}

function ring(entry) {
  let element = entry.frame.querySelector(".btc-chart__focus");
  if (!element) {
    element = document.createElement("div");
    element.className = "btc-chart__focus";
    element.setAttribute("aria-hidden", "true");
    entry.frame.appendChild(element);
  }
  return element;
}

function clearFocus(entry) {
  entry.index = -1;
  const element = entry.frame.querySelector(".btc-chart__focus");
  if (element) element.remove();
  if (shown === entry) hideTooltip();
}

function focusMark(entry, index) {
  const list = marks(entry);
  if (!list.length) return;
  entry.index = (index + list.length) % list.length;
  const { item, text } = list[entry.index];
  const box = item._svg.getBoundingClientRect();
  const frame = entry.frame.getBoundingClientRect();
  const element = ring(entry);
  const pad = 3;
  Object.assign(element.style, {
    left: `${box.left - frame.left - pad}px`,
    top: `${box.top - frame.top - pad}px`,
    width: `${box.width + 2 * pad}px`,
    height: `${box.height + 2 * pad}px`,
  });
  showTooltip(entry, { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }, item);
  announce(`${entry.index + 1} of ${list.length}: ${text}`);
}

const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

document.addEventListener("keydown", (event) => {
  const frame = event.target instanceof Element && event.target.classList.contains("btc-chart__frame") ? event.target : null;
  const entry = frame && entryOf(frame);
  if (!entry) return;
  if (event.key in STEPS) {
    event.preventDefault();
    focusMark(entry, entry.index < 0 ? (STEPS[event.key] > 0 ? 0 : -1) : entry.index + STEPS[event.key]);
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    focusMark(entry, event.key === "Home" ? 0 : -1);
  } else if (event.key === "Escape") {
    clearFocus(entry);
  }
});

document.addEventListener("focusout", (event) => {
  const entry = event.target instanceof Element && event.target.classList.contains("btc-chart__frame") ? entryOf(event.target) : null;
  if (entry) clearFocus(entry);
});

function forgetDetached() {
  // Instant navigation replaces the page body: finalize views whose figure left the document.
  for (const [figure, entry] of views) {
    if (!figure.isConnected) {
      entry.view.finalize();
      views.delete(figure);
    }
  }
  for (const figure of drawing.keys()) if (!figure.isConnected) drawing.delete(figure);
}

export async function upgradeAll(root = document, { tap = null } = {}) {
  forgetDetached();
  const figures = [...root.querySelectorAll("figure.btc-chart[data-chart]")];
  const results = await Promise.allSettled(figures.map(render));
  for (const result of results) {
    if (result.status === "rejected") console.warn(result.reason); // the static chart stays
  }
  if (tap) tapAt(tap);
}

// Follow Material's palette switch live.
new MutationObserver(() => upgradeAll()).observe(document.body, {
  attributes: true,
  attributeFilter: ["data-md-color-scheme"],
});

// Follow the layout switch when a phone turns or a window (or an embed's iframe) crosses a breakpoint.
const breakpoints = [...document.querySelectorAll("figure.btc-chart")].flatMap((f) => [f.dataset.narrowMedia, f.dataset.wideMedia]);
for (const media of new Set(breakpoints.filter(Boolean))) {
  window.matchMedia(media).addEventListener("change", () => upgradeAll());
}

// For tests and debugging: how many live views exist.
window.__btcCharts = { count: () => views.size, upgradeAll, marks: (figure) => (views.has(figure) ? marks(views.get(figure)).map((mark) => mark.text) : []) };
