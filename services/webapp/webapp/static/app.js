// Upload straight to S3 with a presigned POST, then follow each photo until it is processed.
const jobs = new Map(); // source key -> list item
const POLL_MS = 3000;   // the truth is in S3; live events only make it arrive sooner

const form = document.getElementById("upload-form");
const formMessage = document.getElementById("form-message");
const jobList = document.getElementById("jobs");
const eventList = document.getElementById("events");

function jobPath(key) { return key.split("/").map(encodeURIComponent).join("/"); }

function setStatus(key, view) {
  const item = jobs.get(key);
  if (!item) return;
  const status = item.querySelector(".status");
  status.className = `status ${view.status}`;
  const action = item.querySelector(".action");
  action.replaceChildren();
  if (view.status === "processed") {
    status.textContent = "Ready";
    const link = document.createElement("a");
    link.className = "button";
    link.textContent = "Download";
    link.href = `/api/download/${jobPath(key)}?rendition=full`;
    action.append(link);
  } else if (view.status === "failed") {
    status.textContent = "Failed";
    const reason = document.createElement("span");
    reason.className = "error";
    reason.textContent = view.error || "could not be processed";
    action.append(reason);
  } else {
    status.textContent = view.label || "Processing…";
  }
  item.dataset.status = view.status;
}

function addJob(key, filename) {
  const item = document.createElement("li");
  item.dataset.key = key;
  item.innerHTML = '<span class="name"></span><span class="status processing"></span><span class="action"></span>';
  item.querySelector(".name").textContent = filename;
  jobList.prepend(item);
  jobs.set(key, item);
  setStatus(key, { status: "processing", label: "Uploading…" });
}

async function poll(key) {
  while (jobs.get(key)?.dataset.status === "processing") {
    try {
      const response = await fetch(`/api/jobs/${jobPath(key)}`);
      if (response.ok) setStatus(key, await response.json());
    } catch (error) { /* a network blip; try again */ }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function upload(file) {
  const ask = await fetch("/api/uploads", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ filename: file.name, content_type: file.type, size: file.size }),
  });
  const answer = await ask.json();
  if (!ask.ok) throw new Error(`${file.name}: ${answer.error}`);
  addJob(answer.key, file.name);
  const body = new FormData();
  Object.entries(answer.fields).forEach(([name, value]) => body.append(name, value));
  body.append("file", file);
  const sent = await fetch(answer.url, { method: "POST", body });
  if (!sent.ok) {
    setStatus(answer.key, { status: "failed", error: `upload refused by storage (${sent.status})` });
    throw new Error(`${file.name}: upload failed (${sent.status})`);
  }
  setStatus(answer.key, { status: "processing", label: "Uploaded, processing…" });
  poll(answer.key);
}

form.addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const files = [...document.getElementById("files").files];
  formMessage.className = "";
  formMessage.textContent = `Uploading ${files.length} photo(s)…`;
  const results = await Promise.allSettled(files.map(upload));
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length) {
    formMessage.className = "error";
    formMessage.textContent = failed.map((r) => r.reason.message).join("; ");
  } else {
    formMessage.textContent = `Uploaded ${files.length} photo(s) successfully.`;
  }
  form.reset();
});

function showEvent(event) {
  const item = document.createElement("li");
  item.textContent = `${event.finished_at} ${event.type} ${event.source.key}` +
    (event.error ? ` (${event.error.reason}: ${event.error.message})` : "");
  eventList.prepend(item);
  while (eventList.children.length > 50) eventList.lastChild.remove();
}

function onJobEvent(event) {
  showEvent(event);
  const view = { status: event.type, error: event.error && event.error.message };
  setStatus(event.source.key, view);
}

fetch("/api/events/recent").then((r) => r.json()).then(({ events }) => events.reverse().forEach(showEvent));
new EventSource("/api/events").addEventListener("job", (message) => onJobEvent(JSON.parse(message.data)));
