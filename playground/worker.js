/* "Check your own step": Python (Pyodide) in a Web Worker, so that the page never freezes.
 *
 * Served from <site>/_playground/worker.js; Pyodide's core, its lock file and the wheels of
 * sympy, mpmath and glmnotes are in <site>/_playground/pyodide/ (tools/playground_assets.py).
 * Every URL is absolute and on the site itself: nothing is fetched from another host.
 *
 * Messages in:  {type: "start"}  {type: "check", id, spec, text}
 * Messages out: {type: "progress", stage, message}  {type: "ready", timings}
 *               {type: "failed", message}  {type: "result", id, result, seconds}
 */
"use strict";

const HERE = new URL("./", self.location.href).href;
const CORE = new URL("pyodide/", HERE).href;

let started = null;
let checkStep = null;

function post(message) {
  self.postMessage(message);
}

function lastLine(error) {
  const lines = String((error && error.message) || error).trim().split("\n");
  return lines[lines.length - 1].slice(0, 300);
}

async function start() {
  const timings = {};
  let t0 = performance.now();
  post({ type: "progress", stage: "core", message: "Starting Python in your browser" });
  importScripts(CORE + "pyodide.js");
  const pyodide = await loadPyodide({
    indexURL: CORE,
    lockFileURL: CORE + "pyodide-lock.json",
    packageBaseUrl: CORE,
    stdout: () => {},
    stderr: () => {},
  });
  timings.core = (performance.now() - t0) / 1000;

  t0 = performance.now();
  post({ type: "progress", stage: "packages", message: "Loading sympy, mpmath and glmnotes" });
  const failures = [];
  await pyodide.loadPackage(["glmnotes"], {
    messageCallback: () => {},
    errorCallback: (message) => failures.push(message),
    checkIntegrity: true,
  });
  if (failures.length) {
    throw new Error("could not load the checker's packages: " + failures.join("; "));
  }
  timings.packages = (performance.now() - t0) / 1000;

  t0 = performance.now();
  post({ type: "progress", stage: "import", message: "Importing sympy and the checker" });
  pyodide.runPython(`
import json
import sympy
import glmnotes.verify
from glmnotes.book.playground import check_reader_step

def _glmnotes_check(spec, text):
    return json.dumps(check_reader_step(spec, text))
`);
  checkStep = pyodide.globals.get("_glmnotes_check");
  timings.import = (performance.now() - t0) / 1000;
  return timings;
}

function check(message) {
  const t0 = performance.now();
  let result;
  try {
    result = JSON.parse(checkStep(message.spec, message.text));
  } catch (error) {
    result = { ok: false, error: "The checker failed on this input: " + lastLine(error) };
  }
  post({ type: "result", id: message.id, result, seconds: (performance.now() - t0) / 1000 });
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "start") {
    if (!started) {
      started = start().then(
        (timings) => post({ type: "ready", timings }),
        (error) => post({ type: "failed", message: lastLine(error) }),
      );
    }
    return;
  }
  if (message.type === "check") {
    await started;
    if (!checkStep) {
      post({ type: "result", id: message.id, result: { ok: false, error: "Python did not start." } });
      return;
    }
    check(message);
  }
};
