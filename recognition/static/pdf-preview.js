// The evidence preview (templates/reading/preview.html): draws a PDF one page at a time with
// PDF.js, with page navigation and zoom by buttons and keys, and a text layer so that the
// page's text can be selected and read by screen readers. The file is fetched from the
// nomination's own download route, which checks who may read it. Without this script the
// page still offers the download. Texts come translated in the page's data-text-* attributes.
const root = document.querySelector("[data-pdf-preview]");
if (root) {
  preview(root);
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
const AUTO = 1.25;

async function preview(root) {
  const $ = (selector) => root.querySelector(selector);
  const toolbar = $("[data-toolbar]");
  const status = $("[data-status]");
  const problem = $("[data-problem]");
  const frame = $("[data-frame]");
  const page = $("[data-page]");
  const canvas = $("[data-canvas]");
  const textLayer = $("[data-text-layer]");
  const pageInput = $("[data-page-input]");
  const zoomOutput = $("[data-zoom]");
  const button = (action) => $(`[data-action="${action}"]`);
  const language = document.documentElement.lang || undefined;
  const rtl = document.documentElement.dir === "rtl";
  const numbers = new Intl.NumberFormat(language);
  const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 });
  const text = (name, values = {}) =>
    Object.entries(values).reduce(
      (s, [key, value]) => s.replaceAll(`{${key}}`, value),
      root.dataset[`text${name}`] || ""
    );

  const fail = (message) => {
    toolbar.hidden = true;
    frame.hidden = true;
    status.textContent = "";
    problem.textContent = message;
    problem.hidden = false;
  };

  status.textContent = text("Loading");
  let pdfjs;
  let doc;
  try {
    pdfjs = await import(new URL("./vendor/pdfjs/pdf.min.mjs", import.meta.url).href);
    pdfjs.GlobalWorkerOptions.workerSrc = new URL(
      "./vendor/pdfjs/pdf.worker.min.mjs",
      import.meta.url
    ).href;
  } catch (error) {
    fail(text("Failed"));
    return;
  }
  try {
    const response = await fetch(root.dataset.src, { credentials: "same-origin" });
    if (!response.ok) {
      fail(text("Unavailable"));
      return;
    }
    const data = new Uint8Array(await response.arrayBuffer());
    doc = await pdfjs.getDocument({
      data,
      // The JavaScript image decoders: WebAssembly would need 'wasm-unsafe-eval' in the CSP.
      useWasm: false,
      wasmUrl: new URL("./vendor/pdfjs/wasm/", import.meta.url).href,
      enableXfa: false,
    }).promise;
  } catch (error) {
    fail(error && error.name === "PasswordException" ? text("Protected") : text("Failed"));
    return;
  }

  const pages = doc.numPages;
  let current = 1;
  let zoom = "auto"; // a scale, or "auto" (fit, up to AUTO), or "width" (fit)
  let scale = 1;
  let task = null;
  let drawing = 0;

  pageInput.max = String(pages);
  toolbar.hidden = false;
  frame.hidden = false;

  // As wide as the frame, within the zoom's bounds; at first no larger than AUTO (as PDF.js's
  // own viewer): a page drawn across a wide screen is hard to read.
  const fitScale = (pdfPage, most = ZOOMS[ZOOMS.length - 1]) => {
    const width = pdfPage.getViewport({ scale: 1 }).width;
    const room = frame.clientWidth - 2; // the page's border
    return Math.max(ZOOMS[0], Math.min(room / width, most));
  };

  async function draw() {
    const ticket = ++drawing;
    if (task) {
      task.cancel();
    }
    const pdfPage = await doc.getPage(current);
    if (ticket !== drawing) {
      return;
    }
    if (zoom === "auto") {
      scale = fitScale(pdfPage, AUTO);
    } else if (zoom === "width") {
      scale = fitScale(pdfPage);
    } else {
      scale = zoom;
    }
    const viewport = pdfPage.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    page.style.setProperty("--scale-factor", String(scale));
    const label = text("Page", { page: numbers.format(current), pages: numbers.format(pages) });
    canvas.setAttribute("aria-label", label);
    status.textContent = label;
    pageInput.value = String(current);
    zoomOutput.textContent = percent.format(scale);
    button("previous").disabled = current <= 1;
    button("next").disabled = current >= pages;
    button("zoom-out").disabled = scale <= ZOOMS[0];
    button("zoom-in").disabled = scale >= ZOOMS[ZOOMS.length - 1];
    task = pdfPage.render({
      canvas,
      viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    });
    try {
      await task.promise;
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") {
        return;
      }
      fail(text("Failed"));
      return;
    }
    if (ticket !== drawing) {
      return;
    }
    canvas.dataset.drawn = String(current);
    textLayer.replaceChildren();
    try {
      await new pdfjs.TextLayer({
        textContentSource: pdfPage.streamTextContent(),
        container: textLayer,
        viewport,
      }).render();
    } catch (error) {
      textLayer.replaceChildren(); // the picture is there; only its text cannot be selected
    }
  }

  const go = (number) => {
    const wanted = Math.min(Math.max(1, number), pages);
    if (wanted !== current) {
      current = wanted;
      draw();
      frame.scrollTop = 0;
    }
  };
  const zoomTo = (next) => {
    zoom = next;
    draw();
  };
  const zoomIn = () => zoomTo(ZOOMS.find((z) => z > scale + 0.001) ?? ZOOMS[ZOOMS.length - 1]);
  const zoomOut = () => zoomTo([...ZOOMS].reverse().find((z) => z < scale - 0.001) ?? ZOOMS[0]);

  button("previous").addEventListener("click", () => go(current - 1));
  button("next").addEventListener("click", () => go(current + 1));
  button("zoom-in").addEventListener("click", zoomIn);
  button("zoom-out").addEventListener("click", zoomOut);
  button("fit").addEventListener("click", () => zoomTo("width"));
  pageInput.addEventListener("change", () => {
    const number = parseInt(pageInput.value, 10);
    if (Number.isFinite(number)) {
      go(number);
    }
    pageInput.value = String(current);
  });

  // Keys, while the focus is in the viewer (but not typing a page number): Page Down / Page
  // Up turn pages, Home / End go to the first / last, + and - zoom, 0 fits the width. On a
  // page that cannot scroll sideways the arrows turn pages too, in the writing direction.
  root.addEventListener("keydown", (event) => {
    if (event.target === pageInput || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const sideways = frame.scrollWidth > frame.clientWidth;
    const forward = rtl ? "ArrowLeft" : "ArrowRight";
    const backward = rtl ? "ArrowRight" : "ArrowLeft";
    const actions = {
      PageDown: () => go(current + 1),
      PageUp: () => go(current - 1),
      Home: () => go(1),
      End: () => go(pages),
      "+": zoomIn,
      "=": zoomIn,
      "-": zoomOut,
      0: () => zoomTo("width"),
    };
    if (!sideways) {
      actions[forward] = () => go(current + 1);
      actions[backward] = () => go(current - 1);
    }
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  let resizing = null;
  window.addEventListener("resize", () => {
    if (typeof zoom === "number") {
      return;
    }
    clearTimeout(resizing);
    resizing = setTimeout(draw, 150);
  });

  await draw();
}
