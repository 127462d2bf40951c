// Search on demand. Material starts its search worker and downloads the whole search index as
// soon as any page opens (about 36 KiB gzip, a third of a page's weight), though most readers
// never search. Both wait here until the reader reaches for search: a key press (Material's
// shortcuts open it), or a touch, click or focus on the search box or its button. Inlined in the
// <head>, so it runs before Material's bundle; a theme that loads search differently is left alone.
(() => {
  const indexPath = /\/search\/search_index\.json$/;
  const workerPath = /\/workers\/search\.[\w.]+\.js$/;
  let release;
  const wanted = new Promise((resolve) => { release = resolve; });
  const reachesForSearch = (event) =>
    event.type === "keydown" ||
    (event.target instanceof Element && event.target.closest(".md-search, [for='__search']"));
  const listen = (event) => { if (reachesForSearch(event)) release(); };
  for (const type of ["keydown", "pointerdown", "touchstart", "focusin"]) {
    addEventListener(type, listen, { capture: true, passive: true });
  }
  wanted.then(() => {
    for (const type of ["keydown", "pointerdown", "touchstart", "focusin"]) {
      removeEventListener(type, listen, { capture: true });
    }
  });
  // Arriving from a search result: the page highlights the terms, which needs the index.
  if (new URLSearchParams(location.search).has("h")) release();

  const matches = (url, pattern) => pattern.test(new URL(String(url), location.href).pathname);

  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.searchIndex = matches(url, indexPath);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.searchIndex) return send.apply(this, args);
    wanted.then(() => send.apply(this, args));
  };

  const NativeWorker = window.Worker;
  if (!NativeWorker) return;
  // Stands in for the search worker until it is wanted: messages wait in a queue, then go on.
  class DeferredWorker extends EventTarget {
    constructor(url, options) {
      super();
      const queue = [];
      this.postMessage = (message) => queue.push(message);
      this.terminate = () => { queue.length = 0; this.postMessage = () => {}; };
      wanted.then(() => {
        const worker = new NativeWorker(url, options);
        for (const type of ["message", "messageerror", "error"]) {
          worker.addEventListener(type, (event) => {
            this.dispatchEvent(type === "error" ? new ErrorEvent("error", event) : new MessageEvent(type, { data: event.data }));
          });
        }
        this.terminate = () => worker.terminate();
        this.postMessage = (message) => worker.postMessage(message);
        queue.splice(0).forEach(this.postMessage);
      });
    }
  }
  window.Worker = function Worker(url, options) {
    return matches(url, workerPath) ? new DeferredWorker(url, options) : new NativeWorker(url, options);
  };
  window.Worker.prototype = NativeWorker.prototype;
})();
