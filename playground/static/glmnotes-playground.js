/* "Check your own step": under every checked derivation, a box where the reader types the next
 * expression and gets the book's own verdict. Python (Pyodide, sympy, glmnotes' checker) starts
 * in a Web Worker on the first check only, from <site>/_playground/; until then the page loads
 * nothing more than this file and its stylesheet.
 *
 * A derivation is an element <div class="glmnotes-derivation" data-glmnotes-reader="{json}">
 * (see glmnotes.book.playground.reader_spec).
 */
(function () {
  "use strict";

  const TIME_LIMIT_SECONDS = 30; // one check; past it the worker is stopped and restarted
  const HISTORY = 3; // verdicts kept under a box, newest first
  const timeLimit = () => window.GLMNOTES_PLAYGROUND_TIME_LIMIT || TIME_LIMIT_SECONDS;
  const script = document.currentScript;
  const BASE = new URL("../_playground/", script ? script.src : document.baseURI).href;

  const state = {
    worker: null,
    ready: null, // Promise resolved when Python is ready
    pending: new Map(), // id -> {resolve, timer}
    nextId: 1,
    listeners: new Set(), // progress listeners
    timings: { starts: 0, checks: [] },
  };
  window.glmnotesPlayground = state;

  function broadcast(message) {
    state.listeners.forEach((listener) => listener(message));
  }

  function startWorker() {
    if (state.ready) return state.ready;
    state.timings.starts += 1;
    const began = performance.now();
    const worker = new Worker(BASE + "worker.js");
    state.worker = worker;
    state.ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        const message = event.data;
        if (message.type === "progress") broadcast(message);
        else if (message.type === "ready") {
          state.timings.startup = Object.assign(
            { total: (performance.now() - began) / 1000 },
            message.timings,
          );
          broadcast({ type: "ready" });
          resolve();
        } else if (message.type === "failed") {
          stopWorker();
          reject(new Error(message.message));
        } else if (message.type === "result") {
          const entry = state.pending.get(message.id);
          if (!entry) return;
          clearTimeout(entry.timer);
          state.pending.delete(message.id);
          state.timings.checks.push(message.seconds);
          entry.resolve(message.result);
        }
      };
      worker.onerror = (event) => {
        stopWorker();
        reject(new Error(event.message || "the Python worker could not start"));
      };
    });
    worker.postMessage({ type: "start" });
    return state.ready;
  }

  function stopWorker() {
    if (state.worker) state.worker.terminate();
    state.worker = null;
    state.ready = null;
  }

  async function check(spec, text) {
    await startWorker();
    const id = state.nextId++;
    const limit = timeLimit();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        state.pending.delete(id);
        stopWorker(); // the only way to stop Python in the middle of a computation
        state.pending.forEach((entry) => {
          clearTimeout(entry.timer);
          entry.resolve({ ok: false, error: "Stopped: another check took too long." });
        });
        state.pending.clear();
        resolve({
          ok: false,
          error:
            `This check took longer than ${limit} s and was stopped; ` +
            "Python restarts with your next check.",
        });
      }, limit * 1000);
      state.pending.set(id, { resolve, timer });
      state.worker.postMessage({ type: "check", id, spec, text });
    });
  }

  // --- the control under each derivation -------------------------------------------------

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  function typeset(node) {
    const mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || !mathjax.startup.promise) return Promise.resolve();
    return mathjax.startup.promise.then(() =>
      mathjax.typesetPromise ? mathjax.typesetPromise([node]) : null,
    );
  }

  let counter = 0;

  function build(host) {
    let spec;
    try {
      spec = JSON.parse(host.getAttribute("data-glmnotes-reader"));
    } catch (error) {
      return;
    }
    if (host.nextElementSibling && host.nextElementSibling.matches(".glmnotes-playground")) return;
    const id = "glmnotes-playground-" + ++counter;
    const box = element("section", { class: "glmnotes-playground", "aria-labelledby": id + "-title" });
    box.append(element("p", { class: "glmnotes-playground-title", id: id + "-title", text: "Check your own step" }));
    host.after(box);
    if (!spec.available) {
      box.append(element("p", { class: "glmnotes-playground-note", text: `Not available here: ${spec.reason}.` }));
      return;
    }
    const against = element("p", { class: "glmnotes-playground-against mathjax_process" });
    against.append(
      "Type the next line of this derivation: it is checked against the last line above, " +
        "on the derivation's own domain, by the checker that checked the book.",
    );
    if (spec.condition) {
      against.append(" The derivation holds where ", element("span", { text: `\\(${spec.condition}\\)` }), ".");
    }
    box.append(against);

    const input = element("input", {
      id: id + "-input",
      type: "text",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      placeholder: "e.g. " + (spec.suggestions.length ? spec.suggestions[0].text : "exp(eta)"),
    });
    const button = element("button", { type: "submit", class: "glmnotes-playground-check", text: "Check" });
    const form = element("form", { class: "glmnotes-playground-form" }, [
      element("label", { for: id + "-input", text: "Next step (sympy syntax: exp, log, sqrt, ^ for powers)" }),
      element("span", { class: "glmnotes-playground-row" }, [input, button]),
    ]);
    box.append(form);

    if (spec.suggestions.length) {
      const tries = element("p", { class: "glmnotes-playground-suggestions" }, ["Try: "]);
      spec.suggestions.forEach((suggestion) => {
        const chip = element("button", { type: "button", class: "glmnotes-playground-suggestion" }, [
          element("code", { text: suggestion.text }),
        ]);
        chip.addEventListener("click", () => {
          input.value = suggestion.text;
          form.requestSubmit();
        });
        tries.append(chip, " ");
      });
      box.append(tries);
    }

    const names = spec.symbols.filter((s) => s.name).map((s) => [s.name, s.latex]);
    spec.functions.forEach((f) => names.push([f.reader + "(…)", f.latex || f.reader]));
    if (names.length) {
      const list = element("ul", { class: "glmnotes-playground-names mathjax_process" });
      names.forEach(([name, latex]) =>
        list.append(element("li", {}, [element("code", { text: name }), " ", element("span", { text: `\\(${latex}\\)` })])),
      );
      box.append(element("details", {}, [element("summary", { text: "Names you can type" }), list]));
    }

    const status = element("p", { class: "glmnotes-playground-status", role: "status", "aria-live": "polite" });
    const progress = element("progress", { max: "100", "aria-label": "Starting Python" });
    progress.hidden = true;
    const statusText = element("span");
    status.append(progress, statusText);
    const result = element("div", { class: "glmnotes-playground-result mathjax_process", "aria-live": "polite" });
    const error = element("p", { class: "glmnotes-playground-error", role: "alert" });
    box.append(status, result, error);
    typeset(box);

    const stages = { core: 10, packages: 45, import: 70 };
    let clock = null;
    let stage = "";
    const listener = (message) => {
      if (message.type === "progress") {
        stage = message.message;
        progress.value = stages[message.stage] || 0;
      } else if (message.type === "ready") {
        stage = "Checking";
        progress.removeAttribute("value");
      }
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value;
      error.textContent = "";
      const clicked = performance.now();
      const firstStart = !state.ready;
      stage = firstStart ? "Starting Python in your browser" : "Checking";
      progress.hidden = false;
      if (firstStart) progress.value = 5;
      else progress.removeAttribute("value");
      state.listeners.add(listener);
      const tick = () => {
        const seconds = Math.round((performance.now() - clicked) / 1000);
        statusText.textContent = ` ${stage}… ${seconds} s` + (firstStart ? " (the first check loads Python, about 20 s)" : "");
      };
      tick();
      clock = setInterval(tick, 500);
      button.disabled = true;
      let outcome;
      try {
        outcome = await check(host.getAttribute("data-glmnotes-reader"), text);
      } catch (failure) {
        outcome = { ok: false, error: "Python could not start in this browser: " + failure.message };
      }
      clearInterval(clock);
      state.listeners.delete(listener);
      button.disabled = false;
      progress.hidden = true;
      const seconds = (performance.now() - clicked) / 1000;
      if (state.timings.firstVerdict === undefined && outcome.ok) state.timings.firstVerdict = seconds;
      if (!outcome.ok) {
        statusText.textContent = "";
        error.textContent = outcome.error;
        return;
      }
      statusText.textContent = "";
      const entry = element("div", {
        class: "glmnotes-playground-entry",
        "data-verdict": outcome.verdict.kind,
        "data-holds": String(outcome.holds),
      });
      const step = element("p", { class: "glmnotes-playground-step" }, [
        "Your step: ",
        element("span", { text: `\\(${outcome.input_latex}\\)` }),
        element("span", {
          class: "glmnotes-playground-time",
          text: ` (checked in ${outcome.seconds.toFixed(2)} s)`,
        }),
      ]);
      const verdict = element("p", { class: "glmnotes-playground-verdict" });
      verdict.innerHTML = outcome.html; // the checker's own rendering (escaped by it)
      entry.append(step, verdict);
      result.prepend(entry);
      while (result.children.length > HISTORY) result.lastElementChild.remove();
      await typeset(entry);
    });
  }

  function buildAll() {
    document.querySelectorAll(".glmnotes-derivation[data-glmnotes-reader]").forEach(build);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", buildAll);
  else buildAll();
})();
