// The look of a shoot, or of the photos selected in it: a preset, then the spec's sliders and
// filters, all built from the edit spec's own registry (/api/edit-spec). "Preview" asks the
// processor for the web rendition of one photo with this look (its own pipeline, not CSS);
// "Apply" makes a new version of each chosen photo with it.
import { api, element, plural } from './api.js'

export function createEditor (shootId, { photos, onApplied }) {
  const form = document.getElementById('edit-form')
  const preset = document.getElementById('preset')
  const message = document.getElementById('edit-message')
  const scope = document.getElementById('editor-scope')
  const figure = document.getElementById('preview')
  const image = document.getElementById('preview-image')
  const caption = document.getElementById('preview-caption')
  const controls = new Map() // "adjust.exposure" -> its input
  let schema = null
  let selection = []

  function slider (section, control) {
    const id = `${section}-${control.name}`
    const output = element('output', { for: id, class: 'value' })
    const attributes = control.toggle
      ? { type: 'checkbox', id }
      : { type: 'range', id, min: control.low, max: control.high, step: control.step }
    const input = element('input', attributes)
    const show = () => { output.textContent = control.toggle ? '' : format(Number(input.value), control) }
    input.addEventListener('input', show)
    input.show = show
    controls.set(`${section}.${control.name}`, input)
    return element('div', { class: `control${control.toggle ? ' toggle' : ''}` },
      element('label', { for: id, text: control.label, title: control.hint }), input, output)
  }

  function format (value, control) {
    if (control.step < 1) return `${value > 0 ? '+' : ''}${value.toFixed(2)}`
    return `${value > 0 && control.low < 0 ? '+' : ''}${value}`
  }

  function setValues (spec) {
    preset.value = spec.preset
    for (const section of ['adjust', 'filters']) {
      for (const [name, value] of Object.entries(spec[section])) {
        const input = controls.get(`${section}.${name}`)
        if (!input) continue
        if (input.type === 'checkbox') input.checked = Boolean(value)
        else input.value = value
        input.show()
      }
    }
    document.getElementById('crop').value = spec.crop
    document.getElementById('rotate').value = String(spec.rotate)
    document.getElementById('watermark').value = spec.watermark?.text ?? ''
  }

  function presetSpec (name) {
    return schema.presets.find((p) => p.name === name).spec
  }

  // The look as a spec: the chosen preset, and every slider as it stands (the server keeps only
  // what differs from the preset).
  function currentSpec () {
    const spec = { preset: preset.value, adjust: {}, filters: {} }
    for (const [path, input] of controls) {
      const [section, name] = path.split('.')
      spec[section][name] = input.type === 'checkbox' ? input.checked : Number(input.value)
    }
    spec.crop = document.getElementById('crop').value
    spec.rotate = Number(document.getElementById('rotate').value)
    const mark = document.getElementById('watermark').value.trim()
    if (mark) spec.watermark = { text: mark }
    return spec
  }

  function target () {
    const ready = (p) => p.renditions.length > 0 || p.status !== 'failed'
    return selection.length ? selection : photos().filter(ready)
  }

  async function load () {
    schema = await api('/api/edit-spec')
    preset.replaceChildren(...schema.presets.map((p) => element('option', { value: p.name, text: p.label })))
    document.getElementById('adjustments').replaceChildren(...schema.adjust.map((c) => slider('adjust', c)))
    document.getElementById('filters').replaceChildren(...schema.filters.map((c) => slider('filters', c)))
    document.getElementById('crop').replaceChildren(...schema.crops.map((c) => element('option', { value: c, text: c === 'original' ? 'Original' : c })))
    document.getElementById('rotate').replaceChildren(...schema.rotations.map((r) => element('option', { value: r, text: r ? `${r}° clockwise` : 'None' })))
    preset.addEventListener('change', () => setValues(presetSpec(preset.value)))
    setValues(presetSpec('original'))
  }

  document.getElementById('reset-button').addEventListener('click', () => setValues(presetSpec(preset.value)))
  document.getElementById('close-preview').addEventListener('click', () => { figure.hidden = true })

  document.getElementById('preview-button').addEventListener('click', async () => {
    const photo = target()[0]
    if (!photo) { message.textContent = 'Upload a photo first: the preview shows the look on one of them.'; return }
    message.textContent = `Previewing on ${photo.name}…`
    const started = performance.now()
    try {
      const made = await api('/api/previews', { method: 'POST', body: { key: photo.key, spec: currentSpec() } })
      await new Promise((resolve, reject) => { image.onload = resolve; image.onerror = reject; image.src = made.url })
      image.alt = `Preview of ${photo.name} with this look`
      caption.textContent = `${photo.name} · ${made.width} × ${made.height} · ${((performance.now() - started) / 1000).toFixed(1)} s`
      figure.hidden = false
      message.textContent = ''
    } catch (error) {
      message.textContent = `No preview: ${error.message ?? 'the image did not load'}`
    }
  })

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const chosen = selection.length ? selection.map((p) => p.path) : null
    message.textContent = selection.length ? `Applying the look to ${plural(selection.length, 'photo')}…` : 'Applying the look to the whole shoot…'
    try {
      const result = await api(`/api/shoots/${shootId}/edits`, {
        method: 'POST',
        body: { spec: currentSpec(), photos: chosen, save_as_default: document.getElementById('save-default').checked && !selection.length },
      })
      message.textContent = `The look is on its way to ${plural(result.applied, 'photo')}: each keeps its current result until the new one is ready.`
      onApplied(result.photos)
    } catch (error) {
      message.textContent = `Not applied: ${error.message}`
    }
  })

  const ready = load()
  return {
    async setShoot (shoot) {
      await ready
      setValues({ ...presetSpec(shoot.default_spec.preset ?? 'original'), ...mergeLook(shoot.default_spec) })
    },
    setSelection (photosChosen) {
      selection = photosChosen
      scope.textContent = selection.length
        ? `Applies to the ${plural(selection.length, 'selected photo')}.`
        : 'Applies to the whole shoot. Select photos to edit only those.'
      document.getElementById('save-default').closest('label').hidden = selection.length > 0
    },
  }

  // A compact spec (the preset and what differs) laid over its preset's full values.
  function mergeLook (compact) {
    const base = presetSpec(compact.preset ?? 'original')
    return {
      preset: compact.preset ?? 'original',
      adjust: { ...base.adjust, ...(compact.adjust ?? {}) },
      filters: { ...base.filters, ...(compact.filters ?? {}) },
      crop: compact.crop ?? base.crop,
      rotate: compact.rotate ?? base.rotate,
      watermark: compact.watermark ?? base.watermark,
    }
  }
}
