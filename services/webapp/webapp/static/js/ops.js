// The operations page: the pipeline's CloudWatch metrics (GET /api/ops/metrics), charted with
// Chart.js (vendored, window.Chart), refreshed every 30 s while the page is visible.
import { api, element, plural } from './api.js'

const REFRESH_MS = 30_000
const root = document.getElementById('ops')
const status = document.getElementById('ops-status')
const problem = document.getElementById('ops-error')
const css = getComputedStyle(document.documentElement)
const color = (name) => css.getPropertyValue(name).trim()
const INK_SOFT = color('--ink-soft')
const COLORS = {
  processed: color('--ok'), p50: '#6f9fb8', p90: color('--accent'), waiting: INK_SOFT, dead: color('--bad'), oldest: '#e8b06a',
  failures: [color('--bad'), '#d98b6a', color('--warn'), '#8a3e1e', '#e3a48c', '#6b2a22'],
}

let hours = Number(root.dataset.hours)
let request = null
let timer = null
const charts = {}

Chart.defaults.font.family = getComputedStyle(document.body).fontFamily
Chart.defaults.color = INK_SOFT
Chart.defaults.borderColor = '#efebe6'
Chart.defaults.plugins.legend.labels.boxWidth = 12
Chart.defaults.plugins.legend.labels.boxHeight = 12
Chart.defaults.maintainAspectRatio = false
Chart.defaults.animation = false

// --- numbers as people read them ---------------------------------------------------------------

function duration (ms) {
  if (ms === null || ms === undefined) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

function age (seconds) {
  if (seconds === null || seconds === undefined) return '–'
  if (seconds < 60) return `${Math.round(seconds)} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`
}
const clock = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
// Reasons seen in the range, most frequent first (the API's order); colours follow this order.
const failing = (data) => data.failures.filter((f) => f.total > 0)
const hasData = (...series) => series.some((values) => values.some((v) => v !== null && v !== 0))

// --- charts ------------------------------------------------------------------------------------

function chart (id, config) {
  const canvas = document.getElementById(id)
  const box = canvas.parentElement
  const empty = document.querySelector(`[data-empty-for="${id}"]`)
  const show = config.hasData
  box.hidden = !show
  empty.hidden = show
  if (!show) return
  if (charts[id]) {
    charts[id].data = config.data
    charts[id].options = config.options
    charts[id].update('none')
  } else {
    charts[id] = new Chart(canvas, { type: config.type, data: config.data, options: config.options })
  }
}

const timeAxis = (labels) => ({
  ticks: { maxTicksLimit: 8, maxRotation: 0, autoSkipPadding: 12 },
  grid: { display: false },
  labels,
})

function throughput (data, labels) {
  const datasets = [{
    label: 'processed', data: data.processed_per_minute, backgroundColor: COLORS.processed, stack: 'photos', borderRadius: 2,
  }]
  failing(data).forEach((failure, n) => datasets.push({
    label: `failed: ${failure.reason}`, data: failure.per_minute, stack: 'photos', borderRadius: 2,
    backgroundColor: COLORS.failures[n % COLORS.failures.length],
  }))
  chart('chart-throughput', {
    type: 'bar',
    hasData: hasData(data.processed_per_minute, ...failing(data).map((f) => f.per_minute)),
    data: { labels, datasets },
    options: {
      scales: { x: { ...timeAxis(labels), stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'photos / min' } } },
      plugins: { legend: { position: 'bottom' } },
    },
  })
}

function stages (data) {
  const shown = data.stages.filter((s) => s.p90 !== null)
  chart('chart-stages', {
    type: 'bar',
    hasData: shown.length > 0,
    data: {
      labels: shown.map((s) => s.stage),
      datasets: [
        { label: 'p50', data: shown.map((s) => s.p50), backgroundColor: COLORS.p50, borderRadius: 3 },
        { label: 'p90', data: shown.map((s) => s.p90), backgroundColor: COLORS.p90, borderRadius: 3 },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { beginAtZero: true, title: { display: true, text: 'ms' } }, y: { grid: { display: false }, ticks: { autoSkip: false } } },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${duration(item.raw)}` } },
      },
    },
  })
}

function jobTime (data, labels) {
  const line = (label, values, colour) => ({
    label, data: values, borderColor: colour, backgroundColor: colour, spanGaps: true, tension: 0.25,
    pointRadius: 2, pointHoverRadius: 4, borderWidth: 2,
  })
  chart('chart-job', {
    type: 'line',
    hasData: hasData(data.job.p50_series, data.job.p90_series),
    data: { labels, datasets: [line('p50', data.job.p50_series, COLORS.p50), line('p90', data.job.p90_series, COLORS.p90)] },
    options: {
      scales: { x: timeAxis(labels), y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${duration(item.raw)}` } },
      },
    },
  })
}

function queue (data, labels) {
  const q = data.queue
  const line = (label, values, colour, extra = {}) => ({
    label, data: values, borderColor: colour, backgroundColor: colour, spanGaps: true, stepped: true,
    pointRadius: 1.5, borderWidth: 2, ...extra,
  })
  chart('chart-queue', {
    type: 'line',
    hasData: [q.depth, q.dead_letter_depth, q.oldest_age_s].some((values) => values.some((v) => v !== null)),
    data: {
      labels,
      datasets: [
        line('waiting', q.depth, COLORS.waiting),
        line('dead letters', q.dead_letter_depth, COLORS.dead),
        line('oldest job (s)', q.oldest_age_s, COLORS.oldest, { yAxisID: 'age', borderDash: [5, 4] }),
      ],
    },
    options: {
      scales: {
        x: timeAxis(labels),
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'jobs' } },
        age: { position: 'right', beginAtZero: true, grid: { display: false }, ticks: { precision: 0 }, title: { display: true, text: 'seconds' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  })
}

// --- figures at a glance -----------------------------------------------------------------------

function text (id, value) {
  document.getElementById(id).textContent = value
}

function kpis (data) {
  const { totals, job, queue: q, range } = data
  const minutes = range.hours * 60
  text('kpi-processed', totals.processed.toLocaleString())
  text('kpi-rate', totals.processed ? `${(totals.processed / minutes).toFixed(totals.processed < minutes ? 2 : 1)} per minute` : `in the last ${range.hours} h`)
  text('kpi-failed', totals.failed.toLocaleString())
  const all = totals.processed + totals.failed
  text('kpi-failed-note', all ? `${(100 * totals.failed / all).toFixed(1)} % of photos` : 'none')
  document.getElementById('kpi-failed').classList.toggle('bad', totals.failed > 0)
  text('kpi-job', duration(job.p90))
  text('kpi-job-note', job.p50 === null ? 'no photos yet' : `p90 · median ${duration(job.p50)}`)
  text('kpi-waiting', q.now.waiting.toLocaleString())
  text('kpi-waiting-note', `${q.now.in_flight.toLocaleString()} in progress`)
  text('kpi-oldest', age(q.now.oldest_age_s))
  text('kpi-dead', q.now.dead_letter.toLocaleString())
  text('kpi-dead-note', q.now.dead_letter ? 'failed every retry' : 'all clear')
  document.getElementById('kpi-dead-card').classList.toggle('alert', q.now.dead_letter > 0)
}

function failures (data) {
  const list = document.getElementById('failure-list')
  const top = Math.max(1, ...data.failures.map((f) => f.total))
  list.replaceChildren(...failing(data).map((f, n) => element('li', { class: 'failure' },
    element('code', { class: 'reason', text: f.reason }),
    element('span', { class: 'bar', 'aria-hidden': 'true' },
      element('span', { style: `width: ${Math.max(2, 100 * f.total / top)}%; background: ${COLORS.failures[n % COLORS.failures.length]}` })),
    element('span', { class: 'count', text: plural(f.total, 'photo') }))))
  document.getElementById('failures-empty').hidden = list.children.length > 0
}

// --- loading -----------------------------------------------------------------------------------

async function load () {
  request?.abort()
  request = new AbortController()
  const asked = hours
  try {
    const data = await api(`/api/ops/metrics?hours=${asked}`, { signal: request.signal })
    if (asked !== hours) return
    const labels = data.timestamps.map(clock)
    kpis(data)
    throughput(data, labels)
    stages(data)
    jobTime(data, labels)
    queue(data, labels)
    failures(data)
    problem.hidden = true
    status.textContent = `Last ${data.range.hours} h · updated ${new Date().toLocaleTimeString()} · refreshes every 30 s`
  } catch (error) {
    if (error.name === 'AbortError') return
    problem.textContent = `Could not load the metrics: ${error.message}`
    problem.hidden = false
    status.textContent = 'Retrying in 30 s'
  } finally {
    schedule()
  }
}

function schedule () {
  clearTimeout(timer)
  if (!document.hidden) timer = setTimeout(load, REFRESH_MS)
}

for (const button of root.querySelectorAll('button[data-hours]')) {
  button.addEventListener('click', () => {
    hours = Number(button.dataset.hours)
    for (const other of root.querySelectorAll('button[data-hours]')) other.setAttribute('aria-pressed', String(other === button))
    status.textContent = 'Loading…'
    load()
  })
}
document.addEventListener('visibilitychange', () => (document.hidden ? clearTimeout(timer) : load()))

load()
